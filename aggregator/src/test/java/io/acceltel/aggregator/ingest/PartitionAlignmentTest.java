package io.acceltel.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PartitionAlignmentTest {
  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);
  private static final TopicPartition P2 = new TopicPartition("t", 2);
  private static final long T = 1_800_000_000_000L;
  private static final long SECOND = 1_000_000_000L;
  private static final long NO_CAP = Long.MAX_VALUE;

  @Test
  void aPartitionFarAheadOfTheSlowestReplayingOneIsPausedUntilItCatchesUp() {
    PartitionAlignment a = new PartitionAlignment(List.of(P0, P1, P2), 0);
    a.delivered(P0, T + 300_000, NO_CAP, SECOND);
    a.delivered(P1, T, NO_CAP, SECOND);
    a.delivered(P2, T + 30_000, NO_CAP, SECOND);
    assertThat(a.toPause(Set.of(P0, P1, P2), 2 * SECOND)).containsExactly(P0);
    a.delivered(P1, T + 250_000, NO_CAP, 3 * SECOND);
    assertThat(a.toPause(Set.of(P0, P1, P2), 4 * SECOND)).as("P2 is now the slowest")
        .containsExactlyInAnyOrder(P0, P1);
    a.delivered(P2, T + 260_000, NO_CAP, 5 * SECOND);
    assertThat(a.toPause(Set.of(P0, P1, P2), 6 * SECOND)).isEmpty();
  }

  @Test
  void livePartitionsAndStalledOnesHoldNobodyBack() {
    PartitionAlignment a = new PartitionAlignment(List.of(P0, P1), 0);
    a.delivered(P0, T + 300_000, NO_CAP, SECOND);
    a.delivered(P1, T, NO_CAP, SECOND);
    assertThat(a.toPause(Set.of(P0), 2 * SECOND)).as("P1 has no backlog: it is live, not behind").isEmpty();
    assertThat(a.toPause(Set.of(P0, P1), 2 * SECOND)).containsExactly(P0);
    assertThat(a.toPause(Set.of(P0, P1), SECOND + PartitionAlignment.STALLED_NANOS + 1))
        .as("P1 delivered nothing for the stall time (its leader is down, say)").isEmpty();
  }

  @Test
  void aPartitionWithBacklogThatHasNotDeliveredYetHoldsTheOthersForTheStallTime() {
    PartitionAlignment a = new PartitionAlignment(List.of(P0, P1), 0);
    a.delivered(P0, T, NO_CAP, SECOND);
    assertThat(a.toPause(Set.of(P0, P1), 2 * SECOND)).containsExactly(P0);
    long slowest = a.slowest(Set.of(P0, P1), 2 * SECOND);
    assertThat(a.limit(P0, slowest)).as("no further than it is").isEqualTo(T);
    assertThat(a.limit(P1, slowest)).as("its first records always go in").isEqualTo(Long.MAX_VALUE);
    assertThat(a.toPause(Set.of(P0, P1), PartitionAlignment.STALLED_NANOS + 1)).isEmpty();
  }

  /** A partition replaying from far back (it came without a checkpoint) does not stop the others' live ingest. */
  @Test
  void aPartitionFarBehindTheFastestHoldsNobodyBack() {
    PartitionAlignment a = new PartitionAlignment(List.of(P0, P1), 0);
    a.delivered(P0, T + PartitionAlignment.FAR_BEHIND_MILLIS + 1, NO_CAP, SECOND);
    a.delivered(P1, T, NO_CAP, SECOND);
    assertThat(a.toPause(Set.of(P0, P1), 2 * SECOND)).isEmpty();
    assertThat(a.limit(P0, a.slowest(Set.of(P0, P1), 2 * SECOND))).as("P0 is the slowest that counts")
        .isEqualTo(T + PartitionAlignment.FAR_BEHIND_MILLIS + 1 + PartitionAlignment.AHEAD_MILLIS);
  }

  /** A node whose clock runs ahead does not make its partition look ahead: record times are capped at the clock. */
  @Test
  void recordTimesAreCappedAtTheWallClock() {
    PartitionAlignment a = new PartitionAlignment(List.of(P0, P1), 0);
    a.delivered(P0, T + 86_400_000, T + 5_000, SECOND);
    a.delivered(P1, T, T + 5_000, SECOND);
    assertThat(a.toPause(Set.of(P0, P1), 2 * SECOND)).isEmpty();
    assertThat(a.limit(P0, a.slowest(Set.of(P0, P1), 2 * SECOND))).isEqualTo(T + PartitionAlignment.AHEAD_MILLIS);
  }

  /** After the whole ingest was quiet (Kafka unreachable), no partition counts as stalled for it. */
  @Test
  void aQuietSpellOfTheWholeIngestStallsNobody() {
    PartitionAlignment a = new PartitionAlignment(List.of(P0, P1), 0);
    a.delivered(P0, T + 300_000, NO_CAP, SECOND);
    a.delivered(P1, T, NO_CAP, SECOND);
    long later = SECOND + 10 * PartitionAlignment.STALLED_NANOS;
    assertThat(a.toPause(Set.of(P0, P1), later)).as("both look stalled").isEmpty();
    a.restart(later);
    assertThat(a.toPause(Set.of(P0, P1), later + SECOND)).containsExactly(P0);
  }
}
