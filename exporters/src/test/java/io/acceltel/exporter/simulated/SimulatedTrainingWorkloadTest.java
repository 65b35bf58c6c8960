package io.acceltel.exporter.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.simulated.TrainingWorkload.Activity;
import io.acceltel.exporter.simulated.TrainingWorkload.Phase;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimulatedTrainingWorkloadTest {
  private static final long HOUR = 3_600_000;
  private final TrainingWorkload workload = new TrainingWorkload(42L, 0);

  @Test
  void aJobGoesFromIdleThroughStartupToTraining() {
    long start = workload.trainingStartMillis();
    assertThat(workload.at(0).phase()).isEqualTo(Phase.IDLE);
    assertThat(workload.at(0).hasContext()).isFalse();
    assertThat(workload.at(start - TrainingWorkload.STARTUP_MS + 1_000).phase()).isEqualTo(Phase.STARTUP);
    assertThat(workload.at(start + 1_000).phase()).isEqualTo(Phase.TRAINING);
    assertThat(workload.at(start + 1_000).hasContext()).isTrue();
  }

  @Test
  void aHealthyStepKeepsTheDeviceBusyMostOfTheTimeWithAShortHostGap() {
    long step = workload.stepMillis();
    long from = workload.trainingStartMillis() + 10 * step;
    double busy = 0;
    double minBusy = 1;
    for (long t = from; t < from + step; t += 10) {
      busy += workload.at(t).busy();
      minBusy = Math.min(minBusy, workload.at(t).busy());
    }
    assertThat(busy / (step / 10.0)).isBetween(0.95, 1.0);
    assertThat(minBusy).as("the host gap between steps").isZero();
  }

  @Test
  void anHourOfTrainingHasDataStallsAndCheckpointsButNoneInTheFirstMinutes() {
    Set<Phase> seen = EnumSet.noneOf(Phase.class);
    long start = workload.trainingStartMillis();
    long quiet = Math.min(workload.stallSlotMillis(), workload.checkpointPeriodMillis());
    for (long t = start; t < start + HOUR; t += 100) {
      Phase p = workload.at(t).phase();
      seen.add(p);
      if (t < start + quiet) {
        assertThat(p).as("at %d ms into training", t - start).isEqualTo(Phase.TRAINING);
      }
    }
    assertThat(seen).contains(Phase.TRAINING, Phase.DATA_STALL, Phase.CHECKPOINT);
  }

  @Test
  void checkpointsStageStateToTheHostOverPcieWithTheGpuNearlyIdle() {
    long at = workload.trainingStartMillis() + workload.checkpointPeriodMillis() + 1_000;
    Activity a = workload.at(at);
    assertThat(a.phase()).isEqualTo(Phase.CHECKPOINT);
    assertThat(a.pcieTxBytesPerSecond()).isGreaterThan(1e9);
    double busy = 0;
    for (long t = at; t < at + 10_000; t += 20) {
      busy += workload.at(t).busy();
    }
    assertThat(busy / 500).isLessThan(0.2);
  }

  @Test
  void profilerRatiosAreConsistentWithBusy() {
    long start = workload.trainingStartMillis();
    for (long t = 0; t < start + 20 * 60_000; t += 37) {
      Activity a = workload.at(t);
      assertThat(a.smActive()).isBetween(0.0, a.busy());
      assertThat(a.tensor()).isBetween(0.0, a.smActive());
      assertThat(a.occupancy()).isBetween(0.0, a.smActive());
      assertThat(a.dram()).isBetween(0.0, 1.0);
      assertThat(a.fp16() + a.fp32() + a.fp64()).isLessThanOrEqualTo(a.smActive());
    }
  }

  @Test
  void memoryRampsDuringStartupThenStaysBetween70And78Gb() {
    long start = workload.trainingStartMillis();
    assertThat(workload.memoryUsedBytes(0)).isZero();
    long previous = 0;
    for (long t = start - TrainingWorkload.STARTUP_MS; t < start; t += 1_000) {
      long used = workload.memoryUsedBytes(t);
      assertThat(used).isGreaterThanOrEqualTo(previous);
      previous = used;
    }
    for (long t = start; t < start + HOUR; t += 60_000) {
      assertThat(workload.memoryUsedBytes(t)).isBetween(70_000_000_000L, 78_000_000_000L);
    }
  }

  @Test
  void sameSeedSameWorkloadWhileDevicesAreSlightlyOutOfStep() {
    TrainingWorkload again = new TrainingWorkload(42L, 0);
    TrainingWorkload other = new TrainingWorkload(42L, 5);
    int differ = 0;
    for (long t = HOUR; t > 0; t -= 997) { // backwards: the answer must not depend on the order of calls
      assertThat(again.at(t)).isEqualTo(workload.at(t));
      if (!other.at(t).equals(workload.at(t))) {
        differ++;
      }
    }
    assertThat(differ).isPositive();
    assertThat(other.stepMillis()).isEqualTo(workload.stepMillis());
    assertThat(Math.abs(other.trainingStartMillis() - workload.trainingStartMillis())).isLessThan(350);
  }
}
