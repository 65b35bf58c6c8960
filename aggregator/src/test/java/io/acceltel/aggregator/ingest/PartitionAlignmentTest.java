package io.acceltel.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PartitionAlignmentTest {
  private static final long SKEW = 30_000;
  private static final long STALL = TimeUnit.SECONDS.toNanos(10);
  private static final long WALL = 10_000_000;
  private static final Map<Integer, Boolean> BOTH_BEHIND = Map.of(0, true, 1, true);
  private static final Map<Integer, Boolean> NONE_BEHIND = Map.of(0, false, 1, false);

  private final PartitionAlignment alignment = new PartitionAlignment(List.of(0, 1), SKEW, STALL, 0);

  /** Both partitions read once, at these times, and both with records left. */
  private void bothRead(long t0, long t1) {
    alignment.beginPoll(NONE_BEHIND, 0);
    assertThat(alignment.admit(0, t0, WALL, 0)).isTrue();
    assertThat(alignment.admit(1, t1, WALL, 0)).isTrue();
    alignment.beginPoll(BOTH_BEHIND, 0);
  }

  /** At a start, live partitions have records left and none read yet: still, nothing live is held. */
  @Test
  void livePartitionsAreNotHeldAtAStartEither() {
    alignment.beginPoll(BOTH_BEHIND, 0);
    assertThat(alignment.admit(1, WALL - 2_000, WALL, 0)).isTrue();
    assertThat(alignment.admit(0, WALL - 1_000, WALL, 0)).isTrue();
    assertThat(alignment.heldCount()).isZero();
  }

  /** A partition whose leader was away lags behind live ones: they are not held for it. */
  @Test
  void aLaggingPartitionDoesNotHoldLiveOnes() {
    bothRead(WALL - 3_600_000, WALL - 1_000);
    assertThat(alignment.admit(1, WALL, WALL, 0)).isTrue();
    assertThat(alignment.admit(0, WALL - 3_599_000, WALL, 0)).isTrue();
  }

  /**
   * Only the last half skew before the wall clock is live: a partition let through there runs on to the wall clock,
   * and the slowest must then be at most 1.5 skews behind, inside the two that storage and the rollups wait for.
   */
  @Test
  void onlyRecordsWithinHalfTheSkewOfTheWallClockAreNeverHeld() {
    bothRead(WALL - 3 * SKEW, WALL - 3 * SKEW);
    assertThat(alignment.admit(1, WALL - SKEW / 2 - 1, WALL, 0)).as("3 skews ahead, not yet live").isFalse();
    PartitionAlignment fresh = new PartitionAlignment(List.of(0, 1), SKEW, STALL, 0);
    fresh.beginPoll(NONE_BEHIND, 0);
    fresh.admit(0, WALL - 3 * SKEW, WALL, 0);
    fresh.admit(1, WALL - 3 * SKEW, WALL, 0);
    fresh.beginPoll(BOTH_BEHIND, 0);
    assertThat(fresh.admit(1, WALL - SKEW / 2, WALL, 0)).as("live").isTrue();
  }

  @Test
  void livePartitionsAreNeverHeld() {
    alignment.beginPoll(NONE_BEHIND, 0);
    for (long t = WALL - 5_000; t < WALL; t += 1000) {
      assertThat(alignment.admit(0, t, WALL, 0)).isTrue();
      assertThat(alignment.admit(1, t + 500, WALL, 0)).isTrue();
    }
    alignment.beginPoll(BOTH_BEHIND, 0);
    assertThat(alignment.admit(1, WALL, WALL, 0)).isTrue();
    assertThat(alignment.heldCount()).isZero();
  }

  @Test
  void aPartitionAheadOfTheSlowestReplayingOneIsHeldUntilItCatchesUp() {
    bothRead(1_000, 1_000);
    assertThat(alignment.admit(1, 1_000 + SKEW, WALL, 0)).as("within the skew").isTrue();
    assertThat(alignment.admit(1, 1_001 + SKEW, WALL, 0)).as("past it").isFalse();
    assertThat(alignment.admit(1, 1_000, WALL, 0)).as("the rest of the poll, whatever its time").isFalse();
    assertThat(alignment.heldCount()).isEqualTo(1);

    assertThat(alignment.beginPoll(BOTH_BEHIND, 1)).as("partition 0 has not moved").isEmpty();
    assertThat(alignment.admit(0, 1_000 + SKEW / 2, WALL, 1)).isTrue();
    assertThat(alignment.beginPoll(BOTH_BEHIND, 2)).as("not yet within half the skew").isEmpty();
    assertThat(alignment.admit(0, 1_001 + SKEW / 2, WALL, 2)).isTrue();
    assertThat(alignment.beginPoll(BOTH_BEHIND, 2)).as("its held record is within reach now").containsExactly(1);
    assertThat(alignment.admit(1, 1_001 + SKEW, WALL, 2)).isTrue();
    assertThat(alignment.heldCount()).isZero();
  }

  @Test
  void aCaughtUpPartitionHoldsNobodyBack() {
    bothRead(1_000, 1_000);
    assertThat(alignment.admit(1, 1_000_000, WALL, 0)).isFalse();
    assertThat(alignment.beginPoll(Map.of(0, false, 1, true), 1)).containsExactly(1);
    assertThat(alignment.admit(1, 1_000_000, WALL, 1)).isTrue();
  }

  @Test
  void aPartitionThatYieldsNothingForTheStallTimeHoldsNobodyBack() {
    bothRead(1_000, 1_000);
    assertThat(alignment.admit(1, 1_000_000, WALL, 0)).isFalse();
    assertThat(pollEvery100Millis(alignment, 0, STALL)).isEmpty();
    assertThat(alignment.beginPoll(BOTH_BEHIND, STALL + 1)).as("partition 0's leader may be away")
        .containsExactly(1);
  }

  /** A checkpoint that keeps the ingest from polling for half a minute is no stall of the partitions. */
  @Test
  void timeAwayFromPollingDoesNotCountTowardsTheStall() {
    bothRead(1_000, 1_000);
    assertThat(alignment.admit(1, 1_000_000, WALL, 0)).isFalse();
    long back = TimeUnit.SECONDS.toNanos(30);
    assertThat(alignment.beginPoll(BOTH_BEHIND, back)).isEmpty();
    assertThat(pollEvery100Millis(alignment, back, back + STALL - TimeUnit.SECONDS.toNanos(2))).isEmpty();
    assertThat(pollEvery100Millis(alignment, back + STALL - TimeUnit.SECONDS.toNanos(2), back + STALL + 1))
        .containsExactly(1);
  }

  /** Polls from {@code from} to {@code to} (nanos) every 100 ms, as a busy ingest does; the partitions released. */
  private static List<Integer> pollEvery100Millis(PartitionAlignment alignment, long from, long to) {
    List<Integer> released = new java.util.ArrayList<>();
    for (long t = from; t <= to; t += TimeUnit.MILLISECONDS.toNanos(100)) {
      released.addAll(alignment.beginPoll(BOTH_BEHIND, t));
    }
    return released;
  }

  @Test
  void aPartitionWithRecordsLeftButNoneReadHoldsTheOthersUntilItsFirstOrTheStallTime() {
    alignment.beginPoll(BOTH_BEHIND, 0);
    assertThat(alignment.admit(1, 1_000, WALL, 0)).isFalse();
    assertThat(alignment.beginPoll(BOTH_BEHIND, 1)).isEmpty();
    assertThat(alignment.admit(0, 900, WALL, 1)).isTrue();
    assertThat(alignment.beginPoll(BOTH_BEHIND, 2)).containsExactly(1);

    PartitionAlignment other = new PartitionAlignment(List.of(0, 1), SKEW, STALL, 0);
    other.beginPoll(BOTH_BEHIND, 0);
    assertThat(other.admit(1, 1_000, WALL, 0)).isFalse();
    assertThat(pollEvery100Millis(other, 0, STALL + TimeUnit.MILLISECONDS.toNanos(100))).containsExactly(1);
  }

  @Test
  void ofThePartitionsHeldTheOneFurthestBehindIsLetGoFirst() {
    alignment.beginPoll(BOTH_BEHIND, 0);
    // The first poll: partition 0's first record is held while partition 1 has not been read, and partition 1's
    // first, far ahead of it, is held too.
    assertThat(alignment.admit(0, 1_000, WALL, 0)).isFalse();
    assertThat(alignment.admit(1, 500_000, WALL, 0)).isFalse();
    assertThat(alignment.beginPoll(BOTH_BEHIND, 1)).containsExactly(0);
    assertThat(alignment.admit(0, 1_000, WALL, 1)).isTrue();
    assertThat(alignment.beginPoll(BOTH_BEHIND, 2)).isEmpty();
    assertThat(alignment.admit(0, 500_000 - SKEW / 2, WALL, 2)).isTrue();
    assertThat(alignment.beginPoll(BOTH_BEHIND, 3)).containsExactly(1);
  }

  @Test
  void aGapInTheSlowestPartitionHandsTheWaitingToTheOther() {
    bothRead(1_000, 1_000);
    assertThat(alignment.admit(1, 100_000, WALL, 0)).isFalse();
    // Partition 0 resumes two hours later (its exporters were down): now partition 1 must catch up with it.
    assertThat(alignment.admit(0, 7_200_000, WALL, 1)).isFalse();
    assertThat(alignment.beginPoll(BOTH_BEHIND, 2)).containsExactly(1);
    assertThat(alignment.admit(1, 100_000, WALL, 2)).isTrue();
    assertThat(alignment.admit(1, 7_200_000 - SKEW / 2, WALL, 2)).isTrue();
    assertThat(alignment.beginPoll(BOTH_BEHIND, 3)).containsExactly(0);
    assertThat(alignment.heldCount()).isZero();
  }

  @Test
  void timesAreCappedAtTheWallClockAndRecordsWithoutOneCountAsLive() {
    bothRead(WALL - SKEW, WALL - SKEW);
    assertThat(alignment.admit(1, WALL + 3_600_000, WALL, 0)).as("a node's clock an hour ahead").isTrue();
    assertThat(alignment.admit(1, -1, WALL, 0)).isTrue();
    assertThat(alignment.admit(0, -1, WALL, 0)).isTrue();
    assertThat(alignment.admit(1, WALL, WALL, 0)).isTrue();
    assertThat(alignment.heldCount()).isZero();
  }
}
