package io.acceltel.aggregator.storage;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells caches of query results when data they took as final has changed. A cache {@link #settle settles} a time
 * before it evaluates: it will keep answers for steps before that time. From then on, a sample appended before the
 * settled time (a backfill, a replay, a node whose ticks were held while Kafka was down), data deleted by
 * retention, or tier windows a cut made readable move the {@link #generation}, and every answer kept under an older
 * generation is void.
 *
 * <pre>{@code
 * long generation = changes.settle(now - recent);  // before reading any data
 * Matrix m = evaluate(...);
 * if (changes.generation() == generation) keep(m);  // nothing it read has changed since
 * }</pre>
 *
 * <p>Why this is enough: an append runs before or after the settle. Run after, it compares its samples with the
 * settled time and moves the generation if they are older. Run before, the evaluation reads the sample, because
 * both sides touch volatile fields in this order (the append publishes the head's state, then reads
 * {@code settled}; the cache writes {@code settled}, then reads the head's state).
 *
 * <p>Thread-safe. The writers' cost is one volatile read per batch.
 */
public final class ChangeTracker {
  private final AtomicLong generation = new AtomicLong();
  private final AtomicLong settled = new AtomicLong(Long.MIN_VALUE);

  /**
   * Declares that a cache takes data before {@code before} (exclusive) as final; returns the generation its
   * answers belong to. The settled time only grows.
   */
  public long settle(long before) {
    settled.accumulateAndGet(before, Math::max);
    return generation.get();
  }

  /** The current generation: answers kept under another are void. */
  public long generation() {
    return generation.get();
  }

  /** After appending samples, the oldest at {@code oldestTimestamp}. */
  public void appended(long oldestTimestamp) {
    if (oldestTimestamp < settled.get()) {
      generation.incrementAndGet();
    }
  }

  /** After retention deleted data: an answer that read it would now read less, or another resolution. */
  public void deleted() {
    generation.incrementAndGet();
  }

  /**
   * After a block cut completed tier windows that no query could read before (a stopped series' last window, one
   * filled only by samples older than the raw blocks): an answer kept without them would now read them.
   */
  public void completed() {
    generation.incrementAndGet();
  }
}
