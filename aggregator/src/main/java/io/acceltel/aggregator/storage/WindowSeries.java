package io.acceltel.aggregator.storage;

import io.acceltel.model.series.Labels;

/**
 * The downsampled windows of one series at one tier resolution, in time order: an immutable snapshot.
 *
 * <p>Window {@code i} covers {@code [windowStart(i), windowEnd(i))}, aligned to multiples of the resolution, and its
 * point carries {@link #timestamp(i)} = <b>the timestamp of the last raw sample in the window</b> (as Thanos does),
 * so a PromQL engine sees each point no later than the data it summarizes and lookback/staleness behave as on raw
 * data. A window is selected when that timestamp lies in {@code [mint, maxt]}. Only completed windows are stored:
 * the window still receiving samples appears once a later window starts (or its tier block is cut); see
 * {@link Querier#coverage}.
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
  private final long[] counts;
  private final double[] sums;
  private final double[] mins;
  private final double[] maxs;
  private final double[] lasts;
  private final double[] counters;

  /** Takes ownership of the arrays (all of equal length); callers must not modify them afterwards. */
  public WindowSeries(Labels labels, Resolution resolution, long[] timestamps, long[] counts, double[] sums,
      double[] mins, double[] maxs, double[] lasts, double[] counters) {
    this.labels = labels;
    this.resolution = resolution;
    this.timestamps = timestamps;
    this.counts = counts;
    this.sums = sums;
    this.mins = mins;
    this.maxs = maxs;
    this.lasts = lasts;
    this.counters = counters;
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
    return timestamps.length;
  }

  /** The last raw sample's timestamp in window i: the point's timestamp. */
  public long timestamp(int i) {
    return timestamps[i];
  }

  public long windowStart(int i) {
    return timestamps[i] - Math.floorMod(timestamps[i], resolution.millis());
  }

  /** Exclusive end of window i. */
  public long windowEnd(int i) {
    return windowStart(i) + resolution.millis();
  }

  public long count(int i) {
    return counts[i];
  }

  public double sum(int i) {
    return sums[i];
  }

  public double min(int i) {
    return mins[i];
  }

  public double max(int i) {
    return maxs[i];
  }

  public double last(int i) {
    return lasts[i];
  }

  public double counter(int i) {
    return counters[i];
  }

  @Override
  public String toString() {
    return labels + " " + resolution + " " + timestamps.length + " windows";
  }
}
