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
  /**
   * A partition this far behind the fastest holds nobody back: one replaying days from the start of the topic (it
   * came without a checkpoint) must not stop every other partition's live ingest for hours. The streaming
   * aggregation stops waiting for such a stream too ({@code StreamingAggregator.maxLagMillis}).
   */
  static final long FAR_BEHIND_MILLIS = 600_000;

  private final Map<TopicPartition, Long> newestRecordMillis = new HashMap<>();
  private final Map<TopicPartition, Long> lastDeliveryNanos = new HashMap<>();

  PartitionAlignment(Collection<TopicPartition> assigned, long nowNanos) {
    for (TopicPartition tp : assigned) {
      lastDeliveryNanos.put(tp, nowNanos);
    }
  }

  /**
   * A record of {@code tp} was stored. Its time is capped at the wall clock: an exporter node whose clock runs
   * ahead must not make its partition look ahead of the others for good.
   */
  void delivered(TopicPartition tp, long recordMillis, long wallMillis, long nowNanos) {
    newestRecordMillis.merge(tp, Math.min(recordMillis, wallMillis), Math::max);
    lastDeliveryNanos.put(tp, nowNanos);
  }

  /**
   * After a pause of the whole ingest (Kafka unreachable): every partition went quiet together, so none counts as
   * stalled for it.
   */
  void restart(long nowNanos) {
    lastDeliveryNanos.replaceAll((tp, last) -> nowNanos);
  }

  /**
   * How far {@code tp} may go, in record time, before it is stopped within a poll; {@code slowest} is
   * {@link #slowest} of this poll. A partition's first records always go in (it has to be heard from); while
   * another partition with backlog has not been, the others go no further than they are.
   */
  long limit(TopicPartition tp, long slowest) {
    Long newest = newestRecordMillis.get(tp);
    if (newest == null || slowest == Long.MAX_VALUE) {
      return Long.MAX_VALUE;
    }
    return slowest == Long.MIN_VALUE ? newest : slowest + AHEAD_MILLIS;
  }

  /**
   * @param backlog the partitions with records left to fetch
   * @return the partitions more than {@link #AHEAD_MILLIS} ahead of the slowest partition of {@code backlog} that
   *     is not stalled; none when there is no such partition
   */
  Set<TopicPartition> toPause(Set<TopicPartition> backlog, long nowNanos) {
    long slowest = slowest(backlog, nowNanos);
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

  /**
   * The newest record time of the slowest partition of {@code backlog} that is neither stalled nor far behind the
   * fastest; MIN_VALUE when one of them has not delivered yet, MAX_VALUE when there is none.
   */
  long slowest(Set<TopicPartition> backlog, long nowNanos) {
    long fastest = Long.MIN_VALUE;
    for (long t : newestRecordMillis.values()) {
      fastest = Math.max(fastest, t);
    }
    long slowest = Long.MAX_VALUE;
    for (TopicPartition tp : backlog) {
      if (nowNanos - lastDeliveryNanos.getOrDefault(tp, nowNanos) > STALLED_NANOS) {
        continue;
      }
      Long newest = newestRecordMillis.get(tp);
      if (newest != null && fastest - newest > FAR_BEHIND_MILLIS) {
        continue;
      }
      slowest = Math.min(slowest, newest == null ? Long.MIN_VALUE : newest);
    }
    return slowest;
  }
}
