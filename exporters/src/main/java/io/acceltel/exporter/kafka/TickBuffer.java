package io.acceltel.exporter.kafka;

import com.github.luben.zstd.Zstd;
import java.util.ArrayDeque;

/**
 * The bounded queue between the tick thread and the sender: ticks wait here until the broker acknowledges them. When
 * full, the oldest tick that is not being sent right now is dropped, so the counter of dropped ticks is exact: a
 * tick is either acknowledged or counted as dropped, never both and never neither.
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
  }

  private final int capacity;
  private final ArrayDeque<Tick> ticks = new ArrayDeque<>();
  private Tick inFlight;
  private long dropped;

  TickBuffer(int capacity) {
    this.capacity = capacity;
  }

  /** Adds a tick, dropping the oldest waiting one if the buffer is full; returns how many were dropped (0 or 1). */
  synchronized int offer(Tick tick) {
    int droppedNow = 0;
    if (size() >= capacity) {
      if (ticks.pollFirst() != null) {
        dropped++;
        droppedNow = 1;
      } else {
        // Capacity 1 and that one is in flight: the new tick is the one that cannot be held.
        dropped++;
        return 1;
      }
    }
    ticks.addLast(tick);
    notifyAll();
    return droppedNow;
  }

  /** Waits for the oldest tick and marks it in flight; it stays counted in {@link #size()} until acknowledged. */
  synchronized Tick takeForSending(long timeoutMillis) throws InterruptedException {
    if (inFlight != null) {
      return inFlight;
    }
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (ticks.isEmpty()) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return null;
      }
      wait(left);
    }
    inFlight = ticks.pollFirst();
    return inFlight;
  }

  /** The in-flight tick was acknowledged. */
  synchronized void acknowledged() {
    inFlight = null;
    notifyAll();
  }

  synchronized int size() {
    return ticks.size() + (inFlight == null ? 0 : 1);
  }

  synchronized long dropped() {
    return dropped;
  }

  /** Waits until every held tick was acknowledged, or the timeout passes; true if empty. */
  synchronized boolean awaitEmpty(long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (size() > 0) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }
}
