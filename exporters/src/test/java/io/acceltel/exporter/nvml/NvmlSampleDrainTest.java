package io.acceltel.exporter.nvml;

import static io.acceltel.exporter.nvml.NvmlTestSupport.open;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.acceltel.exporter.nvml.NvmlTestSupport.FakeClock;
import io.acceltel.exporter.nvml.NvmlTestSupport.Readings;
import io.acceltel.exporter.nvml.NvmlTestSupport.RecordingObserver;
import io.acceltel.model.catalog.MetricCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Utilization and power come from draining the driver's sample rings, only new samples counting each tick. */
class NvmlSampleDrainTest {
  private static final NvmlDouble DOUBLE = NvmlDouble.INSTANCE;
  private static final long T0 = 1_795_349_049_000_000L; // µs, as the driver stamps samples
  private NvmlBackend backend;
  private NvmlDeviceReader reader;
  private final RecordingObserver observer = new RecordingObserver();

  @BeforeEach
  void setUp() throws Exception {
    DOUBLE.nvmlDouble_reset(1);
    backend = open(observer, new FakeClock());
    reader = (NvmlDeviceReader) backend.devices().get(0);
  }

  @AfterEach
  void tearDown() {
    backend.close();
  }

  private Readings tick(long millis) throws Exception {
    Readings readings = new Readings();
    reader.read(millis, readings);
    return readings;
  }

  @Test
  void averagesAndPeaksOnlyTheSamplesNewSinceTheLastTick() throws Exception {
    for (int i = 0; i < 5; i++) { // one utilization sample per 200 ms
      DOUBLE.nvmlDouble_pushSample(NvmlDouble.GPU_UTILIZATION, 0, T0 + i * 200_000L, new int[] {100, 70, 0, 100, 30}[i]);
    }
    for (int i = 0; i < 50; i++) { // one power sample per 20 ms; a 920 W spike in a 670 W second
      DOUBLE.nvmlDouble_pushSample(NvmlDouble.TOTAL_POWER, 0, T0 + i * 20_000L, i == 17 ? 920_000 : 670_000);
    }
    Readings first = tick(1000);
    assertThat(first.value(MetricCatalog.UTILIZATION)).isEqualTo(0.60, within(1e-9));
    assertThat(first.value(MetricCatalog.UTILIZATION_MAX)).isEqualTo(1.0);
    assertThat(first.value(MetricCatalog.POWER)).isEqualTo(675.0, within(1e-9));
    assertThat(first.value(MetricCatalog.POWER_MAX)).isEqualTo(920.0);

    for (int i = 5; i < 10; i++) {
      DOUBLE.nvmlDouble_pushSample(NvmlDouble.GPU_UTILIZATION, 0, T0 + i * 200_000L, 20);
    }
    DOUBLE.nvmlDouble_pushSample(NvmlDouble.TOTAL_POWER, 0, T0 + 1_000_000L, 300_000);
    DOUBLE.nvmlDouble_pushSample(NvmlDouble.TOTAL_POWER, 0, T0 + 1_020_000L, 100_000);
    Readings second = tick(2000);
    assertThat(second.value(MetricCatalog.UTILIZATION)).as("the first second's samples no longer count")
        .isEqualTo(0.20, within(1e-9));
    assertThat(second.value(MetricCatalog.UTILIZATION_MAX)).isEqualTo(0.20, within(1e-9));
    assertThat(second.value(MetricCatalog.POWER)).isEqualTo(200.0, within(1e-9));
    assertThat(second.value(MetricCatalog.POWER_MAX)).isEqualTo(300.0);
  }

  /**
   * Power samples come 7 to 45 ms apart: 20 close samples at 650 W (200 ms) and 18 sparse ones at 80 W (810 ms)
   * average to 193 W over the second, not to the 380 W of a plain mean.
   */
  @Test
  void theAverageWeighsEachSampleByTheTimeItStandsFor() throws Exception {
    DOUBLE.nvmlDouble_pushSample(NvmlDouble.TOTAL_POWER, 0, T0, 100_000);
    tick(1000);
    for (int i = 1; i <= 20; i++) {
      DOUBLE.nvmlDouble_pushSample(NvmlDouble.TOTAL_POWER, 0, T0 + i * 10_000L, 650_000);
    }
    for (int i = 1; i <= 18; i++) {
      DOUBLE.nvmlDouble_pushSample(NvmlDouble.TOTAL_POWER, 0, T0 + 200_000L + i * 45_000L, 80_000);
    }
    Readings r = tick(2000);
    assertThat(r.value(MetricCatalog.POWER)).isEqualTo((200 * 650.0 + 810 * 80.0) / 1010, within(1e-9));
    assertThat(r.value(MetricCatalog.POWER_MAX)).isEqualTo(650.0);
  }

  /**
   * An interval longer than the power ring (2.4 s on an H100), or a device back from a loss: the ring overwrote the
   * samples after the last drain's newest, and the oldest one left (100 W here) must not stand for the whole gap.
   */
  @Test
  void aSampleAfterAGapTheRingOverwroteWeighsOnlyAsMuchAsItsNeighbours() throws Exception {
    for (int i = 0; i < 50; i++) {
      DOUBLE.nvmlDouble_pushSample(NvmlDouble.TOTAL_POWER, 0, T0 + i * 20_000L, 600_000);
    }
    tick(1000);
    long after = T0 + 3_000_000L; // 2 s with no sample left in the ring
    DOUBLE.nvmlDouble_pushSample(NvmlDouble.TOTAL_POWER, 0, after, 100_000);
    for (int i = 1; i < 120; i++) {
      DOUBLE.nvmlDouble_pushSample(NvmlDouble.TOTAL_POWER, 0, after + i * 20_000L, 700_000);
    }
    Readings r = tick(6000);
    assertThat(r.value(MetricCatalog.POWER)).isEqualTo((100.0 + 119 * 700.0) / 120, within(1e-9));
    assertThat(r.value(MetricCatalog.POWER_MAX)).isEqualTo(700.0);
  }

  /**
   * At a 6 s interval the ring (256 samples in the double) overflows between ticks: pulled every second, every
   * sample counts, the spike in the interval's first second included.
   */
  @Test
  void samplesPulledBetweenTicksAllCountAtTheNextTick() throws Exception {
    for (int i = 0; i < 50; i++) {
      DOUBLE.nvmlDouble_pushSample(NvmlDouble.TOTAL_POWER, 0, T0 + i * 20_000L, 500_000);
    }
    tick(0);
    for (int second = 1; second <= 6; second++) {
      for (int i = 0; i < 50; i++) {
        long t = T0 + second * 1_000_000L + i * 20_000L;
        DOUBLE.nvmlDouble_pushSample(NvmlDouble.TOTAL_POWER, 0, t, second == 1 && i == 10 ? 920_000 : 600_000);
      }
      if (second < 6) {
        reader.sampleBetweenTicks();
      }
    }
    Readings r = tick(6000);
    assertThat(r.value(MetricCatalog.POWER_MAX)).isEqualTo(920.0);
    assertThat(r.value(MetricCatalog.POWER)).isEqualTo((299 * 600.0 + 920.0) / 300, within(1e-9));

    for (int i = 0; i < 50; i++) {
      DOUBLE.nvmlDouble_pushSample(NvmlDouble.TOTAL_POWER, 0, T0 + 7_000_000L + i * 20_000L, 300_000);
    }
    assertThat(tick(8000).value(MetricCatalog.POWER)).as("the next tick reports only its own").isEqualTo(300.0);
  }

  /** Samples pulled before a loss are not reported by the first tick after the recovery. */
  @Test
  void samplesPulledBeforeALossAreForgottenAtTheRecovery() throws Exception {
    for (int i = 0; i < 50; i++) {
      DOUBLE.nvmlDouble_pushSample(NvmlDouble.TOTAL_POWER, 0, T0 + i * 20_000L, 500_000);
    }
    tick(0);
    DOUBLE.nvmlDouble_pushSample(NvmlDouble.TOTAL_POWER, 0, T0 + 1_000_000L, 990_000); // the spike before the loss
    reader.sampleBetweenTicks();
    assertThat(reader.recover()).isTrue();
    for (int i = 0; i < 50; i++) {
      DOUBLE.nvmlDouble_pushSample(NvmlDouble.TOTAL_POWER, 0, T0 + 9_000_000L + i * 20_000L, 300_000);
    }
    Readings back = tick(10_000);
    assertThat(back.value(MetricCatalog.POWER_MAX)).isEqualTo(300.0);
  }

  @Test
  void theFirstDrainCountsOnlyTheNewestSecondOfTheRing() throws Exception {
    // 14 s of history in the ring: busy long ago, idle in the last second
    for (int i = 0; i < 70; i++) {
      DOUBLE.nvmlDouble_pushSample(NvmlDouble.GPU_UTILIZATION, 0, T0 + i * 200_000L, i < 65 ? 100 : 0);
    }
    assertThat(tick(1000).value(MetricCatalog.UTILIZATION)).isZero();
  }

  @Test
  void noNewSamplesFallsBackToThePlainReads() throws Exception {
    DOUBLE.nvmlDouble_pushSample(NvmlDouble.GPU_UTILIZATION, 0, T0, 90);
    DOUBLE.nvmlDouble_pushSample(NvmlDouble.TOTAL_POWER, 0, T0, 500_000);
    tick(1000);
    DOUBLE.nvmlDouble_setUint("util.gpu", 0, 42);
    DOUBLE.nvmlDouble_setUint("power.usage", 0, 123_000);
    Readings r = tick(2000); // the rings answer NOT_FOUND now
    assertThat(r.value(MetricCatalog.UTILIZATION)).isEqualTo(0.42, within(1e-9));
    assertThat(r.value(MetricCatalog.UTILIZATION_MAX)).isEqualTo(0.42, within(1e-9));
    assertThat(r.value(MetricCatalog.POWER)).isEqualTo(123.0);
    assertThat(r.value(MetricCatalog.POWER_MAX)).isEqualTo(123.0);
    assertThat(observer.failures).as("NOT_FOUND is normal, not a failure").isEmpty();
  }

  @Test
  void decodesEveryValueTypeTheDriverReports() throws Exception {
    DOUBLE.nvmlDouble_pushSampleTyped(NvmlDouble.TOTAL_POWER, 0, T0, NvmlDouble.ULONGLONG, 650_000L);
    DOUBLE.nvmlDouble_pushSampleTyped(NvmlDouble.TOTAL_POWER, 0, T0 + 20_000, NvmlDouble.ULONGLONG, 750_000L);
    DOUBLE.nvmlDouble_pushSampleTyped(NvmlDouble.GPU_UTILIZATION, 0, T0, NvmlDouble.DOUBLE,
        Double.doubleToRawLongBits(55.5));
    Readings r = tick(1000);
    assertThat(r.value(MetricCatalog.POWER)).isEqualTo(700.0);
    assertThat(r.value(MetricCatalog.UTILIZATION)).isEqualTo(0.555, within(1e-9));
  }

  /**
   * A ring larger than the driver's size query said: the driver fills what fits and answers SUCCESS, so a full
   * buffer is asked again with a larger one, or the newest samples (the 900 W peak) would be lost.
   */
  @Test
  void growsItsBufferWhenTheRingHoldsMoreThanExpected() throws Exception {
    for (int i = 0; i < 200; i++) {
      DOUBLE.nvmlDouble_pushSample(NvmlDouble.TOTAL_POWER, 0, T0 + i * 4_000L, i == 199 ? 900_000 : 600_000);
    }
    Readings r = tick(1000);
    assertThat(r.value(MetricCatalog.POWER_MAX)).isEqualTo(900.0);
    assertThat(observer.failures).isEmpty();
  }
}
