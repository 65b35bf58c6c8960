package io.acceltel.aggregator.storage;

/**
 * What one resolution holds: data between {@code minTime} and {@code maxTime} (inclusive), and {@code retainedFrom}, the time before which retention has deleted
 * its data ({@code Long.MIN_VALUE} while nothing was deleted). A resolution can answer a range starting at
 * {@code mint} completely only when {@code retainedFrom <= mint}; otherwise fall back to a coarser one.
 *
 * <p>For a tier, {@code maxTime} is the last completed window's point; the window still open is not stored yet.
 * An empty resolution has {@code minTime = Long.MAX_VALUE} and {@code maxTime = Long.MIN_VALUE}.
 *
 * <pre>{@code
 * Coverage c = querier.coverage(Resolution.RAW);
 * boolean rawCovers = c.retainedFrom() <= mint;
 * }</pre>
 */
public record Coverage(Resolution resolution, long minTime, long maxTime, long retainedFrom) {
  public boolean isEmpty() {
    return minTime > maxTime;
  }
}
