package io.acceltel.exporter.kafka;

import com.github.luben.zstd.Zstd;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The bounded queue between the tick thread and the sender: ticks wait here until the broker acknowledges them. When
 * full, the oldest tick moves to the on-disk {@link TickSpool} if there is one (the one being sent stays in flight
 * while it moves); without a spool the oldest tick that is not being sent right now is dropped. Either way the
 * counter of dropped ticks is exact: a tick is either acknowledged or counted as dropped, never both and never
 * neither.
 *
 * <p>The spool's disk reads and writes happen under this lock, on the tick thread when memory overflows: each is
 * one small record (~8 KB) into the page cache, far below a tick's budget. A segment roll syncs the sealed segment,
 * which a slow disk can stretch to seconds, so the gauges read a {@link Stats} published after each change rather
 * than wait on the lock: a scrape of {@code /metrics} is never held up by the disk.
 */
final class TickBuffer {
  /**
   * One encoded tick, held zstd-compressed: a tick of 8 GPUs is ~240 KB of OTLP but ~8 KB compressed, so ten
   * minutes of ticks fit the exporter's small heap (64 MB) while Kafka is away.
   */
  record Tick(String node, long timestampMillis, byte[] compressed, int length) {
    static Tick of(String node, long timestampMillis, byte[] payload) {
      return new Tick(node, timestampMillis, Zstd.compress(payload, 1), payload.length);
    }

    byte[] payload() {
      return Zstd.decompress(compressed, length);
    }

    /** Bytes it takes in memory. */
    long size() {
      return compressed.length;
    }
  }

  /**
   * What the self-metrics show, as of the last change.
   *
   * @param oldestUnacknowledgedMillis the timestamp of the oldest tick the broker has not acknowledged, or
   *     {@link Long#MIN_VALUE} when every tick was
   */
  record Stats(int memoryTicks, long spooledTicks, long spooledBytes, long dropped, long oldestUnacknowledgedMillis,
      long spoolCorruptBytesSkipped) {
    static final Stats EMPTY = new Stats(0, 0, 0, 0, Long.MIN_VALUE, 0);

    /** Seconds the stream is behind at {@code nowMillis}: the oldest unacknowledged tick's age, 0 when none. */
    double lagSeconds(long nowMillis) {
      return oldestUnacknowledgedMillis == Long.MIN_VALUE ? 0 : Math.max(0, nowMillis - oldestUnacknowledgedMillis)
          / 1000.0;
    }
  }

  private final int capacity;
  /** Compressed bytes the waiting ticks may take, whatever their count: a node's ticks can be far larger than 8 KB. */
  private final long maxBytes;
  private final ArrayDeque<Tick> ticks = new ArrayDeque<>();
  /** Compressed bytes of {@link #ticks}. */
  private long waitingBytes;
  /** Where ticks overflowing {@link #capacity} go instead of being dropped; null when memory only. */
  private final TickSpool spool;
  /**
   * The ticks being sent, oldest first; empty when none: a batch of consecutive ticks, so that a backlog drains many
   * per broker round trip. From memory, a batch only without a spool; with one, memory's in-flight tick must be able
   * to move into the spool ahead of the ticks that overflow after it, which a single record does in one write.
   */
  private List<Tick> inFlight = List.of();
  private boolean inFlightFromSpool;
  private long droppedInMemory;
  private long refusedByBroker;
  private volatile Stats stats = Stats.EMPTY;

  TickBuffer(int capacity) {
    this(capacity, null);
  }

  /**
   * @param spool takes the oldest waiting tick whenever memory is full, and owns what it holds from then on; ticks
   *     in the spool are always older than those in memory, so sending the spool first keeps ticks in order
   */
  TickBuffer(int capacity, TickSpool spool) {
    this(capacity, Long.MAX_VALUE, spool);
  }

  /**
   * @param maxBytes compressed bytes the ticks waiting in memory may take; past it they overflow as past
   *     {@code capacity}. The exporter passes a quarter of its heap, so that no {@code kafka.buffer-ticks} value can
   *     make a long outage end the process with an OutOfMemoryError.
   */
  TickBuffer(int capacity, long maxBytes, TickSpool spool) {
    this.capacity = capacity;
    this.maxBytes = maxBytes;
    this.spool = spool;
    publish();
  }

  /**
   * Adds a tick. When memory is full the oldest waiting tick moves to the spool or, without one, is dropped;
   * returns how many ticks were dropped (with a spool, a whole segment when it outgrows its bound).
   */
  synchronized int offer(Tick tick) {
    long droppedBefore = dropped();
    boolean keep = true;
    while (keep && (memoryTicks() >= capacity
        || !ticks.isEmpty() && waitingBytes + inFlightMemoryBytes() + tick.size() > maxBytes)) {
      keep = makeRoomFor(tick);
    }
    if (keep) {
      ticks.addLast(tick);
      waitingBytes += tick.size();
    }
    publish();
    notifyAll();
    return (int) (dropped() - droppedBefore);
  }

  /** Frees one place in memory for {@code tick}; false when the tick itself had to go instead. */
  private boolean makeRoomFor(Tick tick) {
    // The tick in flight is the oldest of all: the first to move, so that it stays ahead of the others in the
    // spool if the exporter stops before the broker acknowledges it. Once the disk refused it and a later tick got
    // in, it stays memory's: it is still sent first, and only a stop before its acknowledgement would lose it.
    if (spool != null && !inFlight.isEmpty() && !inFlightFromSpool && spool.empty()
        && spool.appendInFlight(inFlight.get(0))) {
      inFlightFromSpool = true;
      return true;
    }
    if (ticks.isEmpty()) {
      // Capacity 1 and that one in flight: the new tick is the one that cannot be held.
      overflow(tick);
      return false;
    }
    overflow(pollWaiting());
    return true;
  }

  /** Compressed bytes of the ticks in flight that memory holds (none when they are the spool's). */
  private long inFlightMemoryBytes() {
    if (inFlightFromSpool) {
      return 0;
    }
    long bytes = 0;
    for (Tick t : inFlight) {
      bytes += t.size();
    }
    return bytes;
  }

  private Tick pollWaiting() {
    Tick oldest = ticks.pollFirst();
    waitingBytes -= oldest.size();
    return oldest;
  }

  private void overflow(Tick tick) {
    if (spool == null) {
      droppedInMemory++;
    } else {
      spool.append(tick);
    }
  }

  /**
   * Waits for the oldest tick (the spool's first) and marks it in flight; it stays counted in {@link #size()}
   * until acknowledged. Memory's ticks are only taken once the spool has none left.
   *
   * @return the tick, or null when none came within the timeout
   * @throws InterruptedException when interrupted, also when the interrupt cut a spool read short
   */
  synchronized Tick takeForSending(long timeoutMillis) throws InterruptedException {
    List<Tick> batch = takeBatchForSending(1, timeoutMillis);
    return batch.isEmpty() ? null : batch.get(0);
  }

  /**
   * As {@link #takeForSending}, for up to {@code max} ticks in order: consecutive spooled ticks (of one segment),
   * or from memory up to half the capacity and half the byte bound without a spool (the other half keeps taking
   * new ticks), one with a spool. They stay in flight together, until {@link #acknowledged()}; while they are, this
   * returns them again. Empty when none came within the timeout.
   */
  synchronized List<Tick> takeBatchForSending(int max, long timeoutMillis) throws InterruptedException {
    if (!inFlight.isEmpty()) {
      return inFlight;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (true) {
      Tick spooled = spool == null ? null : spool.next();
      if (spooled != null) {
        List<Tick> batch = new ArrayList<>();
        batch.add(spooled);
        for (Tick next; batch.size() < max && (next = spool.next()) != null; ) {
          batch.add(next);
        }
        inFlight = List.copyOf(batch);
        inFlightFromSpool = true;
        publish();
        return inFlight;
      }
      // A spool that holds ticks but gave none could not read them now (an interrupt closed its file as the sender
      // stops): a newer tick from memory must not go first, or the aggregator drops every older one as out of order.
      if (!ticks.isEmpty() && (spool == null || spool.ticks() == 0)) {
        int take = spool == null ? Math.min(Math.min(max, ticks.size()), Math.max(1, capacity / 2)) : 1;
        List<Tick> batch = new ArrayList<>(take);
        long bytes = 0;
        while (batch.size() < take && (batch.isEmpty() || bytes + ticks.peekFirst().size() <= maxBytes / 2)) {
          Tick next = pollWaiting();
          bytes += next.size();
          batch.add(next);
        }
        inFlight = List.copyOf(batch);
        inFlightFromSpool = false;
        publish();
        return inFlight;
      }
      // The spool may have dropped an unreadable segment just now: the gauges must not wait for the next tick.
      publish();
      // Monotonic: a wall clock stepped back must not keep the sender, or a stop's flush, waiting the step out.
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return List.of();
      }
      wait(left);
    }
  }

  /** The ticks in flight were acknowledged. */
  synchronized void acknowledged() {
    settled(0);
  }

  /**
   * The ticks in flight are done with: acknowledged, except {@code refusedForGood} of them that the broker refused
   * for good, which are dropped and counted.
   */
  synchronized void settled(int refusedForGood) {
    if (!inFlight.isEmpty()) {
      refusedByBroker += refusedForGood;
      if (inFlightFromSpool) {
        spool.acknowledged();
      }
      inFlight = List.of();
    }
    publish();
    notifyAll();
  }

  /** Every tick held, in memory and in the spool. */
  synchronized long size() {
    return memoryTicks() + spooledTicks();
  }

  /** Ticks held in memory, at most the capacity. */
  synchronized int memoryTicks() {
    return ticks.size() + (inFlightFromSpool ? 0 : inFlight.size());
  }

  synchronized long spooledTicks() {
    return spool == null ? 0 : spool.ticks();
  }

  synchronized long spooledBytes() {
    return spool == null ? 0 : spool.bytes();
  }

  synchronized long dropped() {
    return droppedInMemory + refusedByBroker + (spool == null ? 0 : spool.dropped());
  }

  /** The counts as of the last change, without taking the lock. */
  Stats stats() {
    return stats;
  }

  private void publish() {
    stats = new Stats(memoryTicks(), spooledTicks(), spooledBytes(), dropped(), oldestUnacknowledgedMillis(),
        spool == null ? 0 : spool.corruptBytesSkipped());
  }

  /**
   * The in-flight tick is the oldest of all; without one, the spool's oldest unsent tick comes before memory's.
   */
  private long oldestUnacknowledgedMillis() {
    if (!inFlight.isEmpty()) {
      return inFlight.get(0).timestampMillis();
    }
    if (spool != null && spool.ticks() > 0) {
      return spool.oldestUnsentMillis();
    }
    return ticks.isEmpty() ? Long.MIN_VALUE : ticks.peekFirst().timestampMillis();
  }

  /** Waits until every held tick was acknowledged, or the timeout passes; true if empty. */
  synchronized boolean awaitEmpty(long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (size() > 0) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }

  /**
   * Called once the sender has stopped: with a spool, the ticks still in memory are written to it (oldest first,
   * after what it holds) so that the next run sends them; returns how many ticks the spool keeps for it. A tick that
   * was in flight may then reach the broker twice, which the aggregator ignores (it drops samples at or before a
   * series' last).
   */
  synchronized long close() {
    if (spool == null) {
      return 0;
    }
    if (!inFlightFromSpool) {
      inFlight.forEach(spool::append);
    }
    ticks.forEach(spool::append);
    if (inFlightFromSpool) {
      // After the appends: they may push the spool over its bound and drop the in-flight batch's segment.
      spool.abandonInFlight();
    }
    inFlight = List.of();
    ticks.clear();
    waitingBytes = 0;
    long kept = spool.ticks();
    spool.close();
    publish();
    notifyAll();
    return kept;
  }
}
