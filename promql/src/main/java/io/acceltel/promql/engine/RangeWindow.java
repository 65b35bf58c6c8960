package io.acceltel.promql.engine;

import io.acceltel.model.series.Labels;
import io.acceltel.promql.storage.StoredSeries;

/**
 * The samples of one series inside a range window {@code [rangeStart, rangeEnd]} at one step, as a view over the
 * series' arrays (no copy, no boxing). When the store answered from a downsampled tier, {@link #aggregates()} gives
 * the per-window aggregates so that functions stay exact; {@code aggregateIndex(i)} maps a window position to the
 * aggregates' index.
 */
public final class RangeWindow {
  private final SeriesData series;
  private final Labels labels;
  private final long[] ts;
  private final double[] vs;
  private final int from;
  private final int to;
  private final long rangeStart;
  private final long rangeEnd;
  private final StoredSeries.WindowAggregates aggregates;

  RangeWindow(SeriesData series, int from, int to, long rangeStart, long rangeEnd) {
    this.series = series;
    this.labels = series.labels;
    this.ts = series.ts;
    this.vs = series.vs;
    this.aggregates = series.aggregates;
    this.from = from;
    this.to = to;
    this.rangeStart = rangeStart;
    this.rangeEnd = rangeEnd;
  }

  public Labels labels() {
    return labels;
  }

  /** The labels without {@code __name__}, as most range functions output them; cached per series. */
  public Labels labelsWithoutName() {
    return series.labelsWithoutName();
  }

  public int size() {
    return to - from;
  }

  public long t(int i) {
    return ts[from + i];
  }

  public double v(int i) {
    return vs[from + i];
  }

  /**
   * Whether some sample in the window is lower than the one before it, i.e. whether a counter reset has to be
   * corrected for. On a tier's counter column that means the series was recreated; on other tier values it is
   * always true, and callers scan the counters.
   */
  public boolean mayHaveCounterReset() {
    return (aggregates != null && !series.countersInValues) || series.dropsWithin(from, to - 1);
  }

  /** Whether {@link #v} already holds the reset-corrected counter of tier windows (see {@link #aggregates()}). */
  public boolean countersInValues() {
    return series.countersInValues;
  }

  /** Start of the window (evaluation time − offset − range), for rate extrapolation. */
  public long rangeStart() {
    return rangeStart;
  }

  /** End of the window (evaluation time − offset). */
  public long rangeEnd() {
    return rangeEnd;
  }

  public long rangeMillis() {
    return rangeEnd - rangeStart;
  }

  /** Per-window aggregates of a downsampled tier, or null for raw samples. */
  public StoredSeries.WindowAggregates aggregates() {
    return aggregates;
  }

  /** The index into {@link #aggregates()} of window position {@code i}. */
  public int aggregateIndex(int i) {
    return from + i;
  }
}
