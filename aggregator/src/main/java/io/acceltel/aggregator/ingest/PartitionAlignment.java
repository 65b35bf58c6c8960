package io.acceltel.aggregator.ingest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the partitions of a replay within a bounded distance of each other in data time.
 *
 * <p>Storage cuts a block once its newest sample is far enough past the block's end, and then refuses raw samples
 * older than the block. Replaying a backlog, the consumer fetches a byte budget per partition, so a partition of few
 * nodes races hours ahead of one of many: its newest samples would have storage cut the blocks the slow partition is
 * still filling, and refuse them. So a partition more than {@code maxSkewMillis} ahead of the slowest partition that
 * still has records to read is held back (the ingest pauses it and seeks back to the first record it held) until
 * that one is within half that distance (so that a released partition brings more than a sliver before it is held
 * again). A record within half of {@code maxSkewMillis} of the wall clock is never held: live data is never
 * delayed, and a partition that lags behind live ones (its leader was away) replays far faster than storage cuts
 * blocks.
 *
 * <p>The slowest partition only counts while it has records left and yields them: one caught up, or one whose
 * leader is away ({@code stallNanos} of polling without a record: time the ingest spends elsewhere, in a long
 * checkpoint, does not count), holds nobody back, so that a partition that cannot be read never stops the others.
 * One with records left (or not fetched yet) but none read since start holds every other back until it yields its
 * first. A record's time is its Kafka timestamp (the exporter sets the tick's time),
 * capped at the wall clock so that a node whose clock runs ahead cannot make its partition look ahead; a record
 * without one (an old message format) cannot say how far behind its partition is, which then counts as live. Live,
 * every partition is within seconds of the wall clock and nothing is ever held. Ingest thread only.
 */
final class PartitionAlignment {
  private static final long NONE = Long.MAX_VALUE;
  private final long maxSkewMillis;
  private final long stallNanos;
  private final Map<Integer, PartitionState> partitions = new HashMap<>();
  /** When the last poll began; Long.MIN_VALUE before the first. */
  private long lastPollNanos = Long.MIN_VALUE;
  /** Longer than one pass of the ingest loop takes between two polls when it does nothing else. */
  private static final long POLL_GAP_NANOS = 1_000_000_000L;

  private static final class PartitionState {
    /** The newest record time ingested; Long.MIN_VALUE before the first. */
    long newest = Long.MIN_VALUE;
    boolean behind;
    long lastProgressNanos;
    boolean held;
    /** The time of the first record held back; the partition is let go once that is within reach. */
    long heldAt;
  }

  PartitionAlignment(List<Integer> partitions, long maxSkewMillis, long stallNanos, long nowNanos) {
    this.maxSkewMillis = maxSkewMillis;
    this.stallNanos = stallNanos;
    for (int p : partitions) {
      PartitionState s = new PartitionState();
      s.lastProgressNanos = nowNanos;
      this.partitions.put(p, s);
    }
  }

  /**
   * Starts a poll: records which partitions have records left to read, and lets go of the held partitions the
   * others have come close enough to.
   *
   * @param behind per partition, whether records are left to read (a partition missing counts as not)
   * @return the partitions to resume
   */
  List<Integer> beginPoll(Map<Integer, Boolean> behind, long nowNanos) {
    if (lastPollNanos != Long.MIN_VALUE && nowNanos - lastPollNanos > POLL_GAP_NANOS) {
      // Away from polling (a checkpoint, a retry's wait, a collection): no partition could yield meanwhile.
      long away = nowNanos - lastPollNanos - POLL_GAP_NANOS;
      partitions.values().forEach(s -> s.lastProgressNanos += away);
    }
    lastPollNanos = nowNanos;
    partitions.forEach((p, s) -> s.behind = behind.getOrDefault(p, false));
    List<Integer> released = new ArrayList<>();
    partitions.forEach((p, s) -> {
      if (s.held) {
        long floor = slowestOtherThan(p, nowNanos);
        if (floor == NONE || s.heldAt <= floor + maxSkewMillis / 2) {
          s.held = false;
          s.lastProgressNanos = nowNanos; // time to fetch before it could count as stalled
          released.add(p);
        }
      }
    });
    return released;
  }

  /**
   * Whether to ingest a record of this partition now; false holds the partition back (and every later record of it
   * this poll, which the caller must skip too: it seeks back to the first one).
   *
   * @param recordTime the record's timestamp, negative when it has none
   */
  boolean admit(int partition, long recordTime, long wallMillis, long nowNanos) {
    PartitionState s = partitions.get(partition);
    if (s == null) {
      return true;
    }
    if (s.held) {
      return false;
    }
    s.lastProgressNanos = nowNanos;
    long t = recordTime < 0 ? wallMillis : Math.min(recordTime, wallMillis);
    long floor = slowestOtherThan(partition, nowNanos);
    // Within half the skew of the wall clock a record is live and never held. Half: a partition let through there
    // runs to the wall clock, and the slowest is then at most 1.5 skews behind it, inside what storage and the
    // streaming aggregation wait for (twice the skew).
    if (floor != NONE && t > floor + maxSkewMillis && t < wallMillis - maxSkewMillis / 2) {
      s.held = true;
      s.heldAt = t;
      return false;
    }
    s.newest = Math.max(s.newest, t);
    return true;
  }

  /** Partitions held back now. */
  int heldCount() {
    int n = 0;
    for (PartitionState s : partitions.values()) {
      if (s.held) {
        n++;
      }
    }
    return n;
  }

  /**
   * The time of the slowest partition other than this one that the others wait for: a held one's first held record
   * (where it resumes; so that of all the partitions held, the one furthest behind is always let go), another's
   * newest (Long.MIN_VALUE for one not read yet); {@link #NONE} when there is none.
   */
  private long slowestOtherThan(int partition, long nowNanos) {
    long floor = NONE;
    for (Map.Entry<Integer, PartitionState> e : partitions.entrySet()) {
      PartitionState s = e.getValue();
      if (e.getKey() == partition) {
        continue;
      }
      if (s.held) {
        floor = Math.min(floor, s.heldAt);
      } else if (s.behind && nowNanos - s.lastProgressNanos <= stallNanos) {
        floor = Math.min(floor, s.newest);
      }
    }
    return floor;
  }
}
