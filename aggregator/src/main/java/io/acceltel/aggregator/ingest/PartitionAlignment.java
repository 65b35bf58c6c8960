package io.acceltel.aggregator.ingest;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;

/**
 * Which partitions to pause so that none runs far ahead, in record time, of the slowest one still replaying.
 *
 * <p>After a restart or an outage the consumer replays every partition, but fetches about the same bytes from each:
 * a partition of small records covers minutes of ticks in one fetch, one of large records seconds. The streaming
 * aggregation must wait for the slowest partition before it closes a window (a job's nodes hash to several), so
 * without pausing the fast ones it would hold minutes of open windows, or give up on the slow partition and write
 * partial windows. Live partitions (no backlog) and stalled ones (nothing delivered for a while, e.g. their leader
 * is down) hold nobody back. Ingest thread only.
 */
final class PartitionAlignment {
  /** How far ahead of the slowest replaying partition another may run before it is paused. */
  static final long AHEAD_MILLIS = 60_000;
  /** A replaying partition that delivers nothing for this long stops holding the others back. */
  static final long STALLED_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final Map<TopicPartition, Long> newestRecordMillis = new HashMap<>();
  private final Map<TopicPartition, Long> lastDeliveryNanos = new HashMap<>();

  PartitionAlignment(Collection<TopicPartition> assigned, long nowNanos) {
    for (TopicPartition tp : assigned) {
      lastDeliveryNanos.put(tp, nowNanos);
    }
  }

  void delivered(TopicPartition tp, long recordMillis, long nowNanos) {
    newestRecordMillis.merge(tp, recordMillis, Math::max);
    lastDeliveryNanos.put(tp, nowNanos);
  }

  /**
   * @param backlog the partitions with records left to fetch
   * @return the partitions more than {@link #AHEAD_MILLIS} ahead of the slowest partition of {@code backlog} that
   *     is not stalled; none when there is no such partition
   */
  Set<TopicPartition> toPause(Set<TopicPartition> backlog, long nowNanos) {
    long slowest = Long.MAX_VALUE;
    for (TopicPartition tp : backlog) {
      if (nowNanos - lastDeliveryNanos.getOrDefault(tp, nowNanos) > STALLED_NANOS) {
        continue;
      }
      slowest = Math.min(slowest, newestRecordMillis.getOrDefault(tp, Long.MIN_VALUE));
    }
    Set<TopicPartition> pause = new HashSet<>();
    if (slowest == Long.MAX_VALUE) {
      return pause;
    }
    for (Map.Entry<TopicPartition, Long> e : newestRecordMillis.entrySet()) {
      if (slowest == Long.MIN_VALUE || e.getValue() - slowest > AHEAD_MILLIS) {
        pause.add(e.getKey());
      }
    }
    return pause;
  }
}
