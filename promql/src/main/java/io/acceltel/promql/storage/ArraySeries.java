package io.acceltel.promql.storage;

import io.acceltel.model.series.Labels;

/**
 * Raw samples already held in arrays. The engine adopts the arrays as they are when the selection needs no
 * trimming, instead of copying every sample of every selected series once more per query.
 *
 * <p>Takes the arrays as given and never changes them; whoever passes them in must not change them either.
 */
public final class ArraySeries implements StoredSeries {
  private final Labels labels;
  private final long[] timestamps;
  private final double[] values;
  private final boolean mayHoldNaN;

  /** {@code timestamps} ascending, both arrays of the same length. */
  public ArraySeries(Labels labels, long[] timestamps, double[] values) {
    this(labels, timestamps, values, true);
  }

  /**
   * As {@link #ArraySeries(Labels, long[], double[])}; {@code mayHoldNaN} false promises that no value is a NaN,
   * so the engine need not look for stale markers in them.
   */
  public ArraySeries(Labels labels, long[] timestamps, double[] values, boolean mayHoldNaN) {
    if (timestamps.length != values.length) {
      throw new IllegalArgumentException(timestamps.length + " timestamps but " + values.length + " values");
    }
    this.labels = labels;
    this.timestamps = timestamps;
    this.values = values;
    this.mayHoldNaN = mayHoldNaN;
  }

  /** False only when the producer promised that no value is a NaN (hence no stale marker). */
  public boolean mayHoldNaN() {
    return mayHoldNaN;
  }

  @Override
  public Labels labels() {
    return labels;
  }

  @Override
  public int size() {
    return timestamps.length;
  }

  @Override
  public long timestamp(int i) {
    return timestamps[i];
  }

  @Override
  public double value(int i) {
    return values[i];
  }

  /** The timestamps array itself (read-only by contract). */
  public long[] timestampArray() {
    return timestamps;
  }

  /** The values array itself (read-only by contract). */
  public double[] valueArray() {
    return values;
  }

  @Override
  public String toString() {
    return labels + " raw " + timestamps.length + " samples";
  }
}
