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

  @Test
  void aPartitionFarAheadOfTheSlowestReplayingOneIsPausedUntilItCatchesUp() {
    PartitionAlignment a = new PartitionAlignment(List.of(P0, P1, P2), 0);
    a.delivered(P0, T + 300_000, SECOND);
    a.delivered(P1, T, SECOND);
    a.delivered(P2, T + 30_000, SECOND);
    assertThat(a.toPause(Set.of(P0, P1, P2), 2 * SECOND)).containsExactly(P0);
    a.delivered(P1, T + 250_000, 3 * SECOND);
    assertThat(a.toPause(Set.of(P0, P1, P2), 4 * SECOND)).as("P2 is now the slowest")
        .containsExactlyInAnyOrder(P0, P1);
    a.delivered(P2, T + 260_000, 5 * SECOND);
    assertThat(a.toPause(Set.of(P0, P1, P2), 6 * SECOND)).isEmpty();
  }

  @Test
  void livePartitionsAndStalledOnesHoldNobodyBack() {
    PartitionAlignment a = new PartitionAlignment(List.of(P0, P1), 0);
    a.delivered(P0, T + 300_000, SECOND);
    a.delivered(P1, T, SECOND);
    assertThat(a.toPause(Set.of(P0), 2 * SECOND)).as("P1 has no backlog: it is live, not behind").isEmpty();
    assertThat(a.toPause(Set.of(P0, P1), 2 * SECOND)).containsExactly(P0);
    assertThat(a.toPause(Set.of(P0, P1), SECOND + PartitionAlignment.STALLED_NANOS + 1))
        .as("P1 delivered nothing for the stall time (its leader is down, say)").isEmpty();
  }

  @Test
  void aPartitionWithBacklogThatHasNotDeliveredYetHoldsTheOthersForTheStallTime() {
    PartitionAlignment a = new PartitionAlignment(List.of(P0, P1), 0);
    a.delivered(P0, T, SECOND);
    assertThat(a.toPause(Set.of(P0, P1), 2 * SECOND)).containsExactly(P0);
    assertThat(a.toPause(Set.of(P0, P1), PartitionAlignment.STALLED_NANOS + 1)).isEmpty();
  }
}
