package io.acceltel.aggregator.storage;

import io.acceltel.model.series.Labels;
import java.util.Objects;

/**
 * The downsampled windows of one series at one tier resolution, in time order: an immutable snapshot.
 *
 * <p>Window {@code i} covers {@code [windowStart(i), windowEnd(i))}, aligned to multiples of the resolution, and its
 * point carries {@link #timestamp(i)} = <b>the timestamp of the last raw sample in the window</b> (as Thanos does),
 * so a PromQL engine sees each point no later than the data it summarizes and lookback/staleness behave as on raw
 * data. A window is selected when that timestamp lies in {@code [mint, maxt]}. Only completed windows are stored:
 * the window still receiving samples appears once a later window starts, once raw data is cut past its end, or
 * when its tier block is cut; see {@link Querier#coverage} and {@link Querier#rawBlocksEnd}.
 *
 * <p>Per window: {@code count} of raw samples (staleness markers excluded), {@code sum}, {@code min}, {@code max}
 * (NaN samples are ignored unless all are NaN, as in Prometheus's {@code min_over_time}), {@code last} (the last
 * sample's value) and {@code counter}: the series' running total since it was created with counter resets
 * corrected (a drop to v adds v, otherwise the difference is added; NaN samples skipped), taken at the window's last
 * sample. So {@code counter(j) - counter(i)} is exactly the reset-corrected increase over raw samples in
 * {@code (timestamp(i), timestamp(j)]}. If {@code counter} itself drops, the series was recreated (a new running
 * total); treat that as a counter reset.
 *
 * <pre>{@code
 * WindowSeries w = (WindowSeries) querier.select(ms, mint, maxt, Resolution.of(Duration.ofMinutes(5))).get(0);
 * for (int i = 0; i < w.size(); i++) { double avg = w.sum(i) / w.count(i); }
 * }</pre>
 */
public final class WindowSeries implements SeriesData {
  private final Labels labels;
  private final Resolution resolution;
  private final long[] timestamps;
  /** Indexed by {@link WindowColumn#chunkColumn()}; null for a column the selection did not read. */
  private final double[][] columns;
  private final int size;
  private final double finalLast;

  /**
   * Takes ownership of the arrays (callers must not modify them afterwards): {@code columns} in
   * {@link WindowColumn} order, each null when not read, and of them only the first {@code size} entries are used.
   * {@code finalLast} is the newest window's last value, given separately for when the last column was not read.
   */
  public WindowSeries(Labels labels, Resolution resolution, long[] timestamps, double[][] columns, int size,
      double finalLast) {
    if (columns.length != WindowColumn.values().length) {
      throw new IllegalArgumentException("expected " + WindowColumn.values().length + " columns, got "
          + columns.length);
    }
    this.labels = labels;
    this.resolution = resolution;
    this.timestamps = timestamps;
    this.columns = columns;
    this.size = size;
    this.finalLast = finalLast;
  }

  /**
   * The newest window's last value, read even when the last column was not: raw samples after that window continue
   * its running counter from it. NaN when there is no window.
   */
  public double finalLast() {
    return finalLast;
  }

  @Override
  public Labels labels() {
    return labels;
  }

  public Resolution resolution() {
    return resolution;
  }

  @Override
  public int size() {
    return size;
  }

  /** The last raw sample's timestamp in window i: the point's timestamp. */
  public long timestamp(int i) {
    return timestamps[Objects.checkIndex(i, size)];
  }

  public long windowStart(int i) {
    long t = timestamp(i);
    return t - Math.floorMod(t, resolution.millis());
  }

  /** Exclusive end of window i. */
  public long windowEnd(int i) {
    return windowStart(i) + resolution.millis();
  }

  /** Whether the selection read this column. */
  public boolean has(WindowColumn column) {
    return columns[column.chunkColumn()] != null;
  }

  /** Window i's value of one aggregate. */
  public double value(WindowColumn column, int i) {
    return column(column)[Objects.checkIndex(i, size)];
  }

  /**
   * Only the windows an instant selector read at {@code grid}'s times can use ({@link StepGrid#atOrAfter}) and the
   * newest one, which raw samples after it continue from: for a 10 m step over the 1 m tier, one in ten. Compacts
   * this series' arrays in place, so this series must not be read afterwards; the result replaces it.
   */
  public WindowSeries thinnedFor(StepGrid grid) {
    int kept = 0;
    // The first grid time at or after window i, carried along: one division per kept window, not one per window.
    long read = size == 0 ? Long.MAX_VALUE : grid.atOrAfter(timestamps[0]);
    for (int i = 0; i < size; i++) {
      boolean last = i == size - 1;
      if (last || read < timestamps[i + 1]) {
        if (!last) {
          read = grid.atOrAfter(timestamps[i + 1]);
        }
        timestamps[kept] = timestamps[i];
        for (double[] c : columns) {
          if (c != null) {
            c[kept] = c[i];
          }
        }
        kept++;
      }
    }
    return kept == size ? this : new WindowSeries(labels, resolution, timestamps, columns, kept, finalLast);
  }

  /**
   * The windows whose timestamps are at most {@code maxt}, sharing this series' arrays. Its {@link #finalLast} is
   * that of its own newest window (NaN when the last column was not read).
   */
  public WindowSeries upTo(long maxt) {
    int n = size;
    while (n > 0 && timestamps[n - 1] > maxt) {
      n--;
    }
    if (n == size) {
      return this;
    }
    double[] last = columns[WindowColumn.LAST.chunkColumn()];
    return new WindowSeries(labels, resolution, timestamps, columns, n,
        n > 0 && last != null ? last[n - 1] : Double.NaN);
  }

  /** Copies the timestamps into {@code dst} from index 0. */
  public void copyTimestamps(long[] dst) {
    System.arraycopy(timestamps, 0, dst, 0, size);
  }

  /** Copies one column into {@code dst} from index 0. */
  public void copyColumn(WindowColumn column, double[] dst) {
    double[] c = column(column);
    System.arraycopy(c, 0, dst, 0, size);
  }

  private double[] column(WindowColumn column) {
    double[] c = columns[column.chunkColumn()];
    if (c == null) {
      throw new IllegalStateException("the " + column + " column of " + labels + " was not selected");
    }
    return c;
  }

  public long count(int i) {
    return (long) value(WindowColumn.COUNT, i);
  }

  public double sum(int i) {
    return value(WindowColumn.SUM, i);
  }

  public double min(int i) {
    return value(WindowColumn.MIN, i);
  }

  public double max(int i) {
    return value(WindowColumn.MAX, i);
  }

  public double last(int i) {
    return value(WindowColumn.LAST, i);
  }

  public double counter(int i) {
    return value(WindowColumn.COUNTER, i);
  }

  @Override
  public String toString() {
    return labels + " " + resolution + " " + size + " windows";
  }
}
