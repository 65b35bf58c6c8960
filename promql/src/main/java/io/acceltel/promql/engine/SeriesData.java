package io.acceltel.promql.engine;

import io.acceltel.model.series.Labels;
import io.acceltel.promql.storage.ArraySeries;
import io.acceltel.promql.storage.StoredSeries;
import io.acceltel.promql.storage.StoredSeries.WindowAggregates.Column;

/**
 * One selected series in primitive arrays (copied once per query, or adopted as they are), searched at each step
 * from where the previous step's search ended so range evaluation never rescans from the start. Not thread-safe:
 * it belongs to one query's evaluation. For range selectors the stale markers are dropped on copy (range
 * functions skip them); instant selectors keep them because a stale marker ends the series.
 */
final class SeriesData {
  final Labels labels;
  final long[] ts;
  final double[] vs;
  final StoredSeries.WindowAggregates aggregates;
  /**
   * The values are a tier's reset-corrected counter column (the selector reads it for rate, increase and irate),
   * so window functions read counters from {@link #vs} directly and counter drops are found by {@link #dropsWithin}.
   */
  final boolean countersInValues;
  private Labels withoutName;
  /** drops[i]: how many samples in 1..i are lower than their predecessor; built on first use. */
  private int[] drops;
  /** {@link #drops} of a series with no drop at all: most counters over a dashboard's range. */
  private static final int[] NO_DROPS = new int[0];
  /**
   * Where the previous {@link #floor} and {@link #ceil} ended. Steps ascend, so the next answer is usually a few
   * samples further on: scanning forward from here touches one or two cache lines, where a binary search over
   * thousands of samples missed the cache on nearly every probe, for every series at every step. Any other time
   * order still answers correctly, through the binary search.
   */
  private int floorHint = -1;
  private int ceilHint = -1;
  private static final int LINEAR_STEPS = 32;

  SeriesData(Labels labels, long[] ts, double[] vs, StoredSeries.WindowAggregates aggregates) {
    this(labels, ts, vs, aggregates, false);
  }

  private SeriesData(Labels labels, long[] ts, double[] vs, StoredSeries.WindowAggregates aggregates,
      boolean countersInValues) {
    this.labels = labels;
    this.ts = ts;
    this.vs = vs;
    this.aggregates = aggregates;
    this.countersInValues = countersInValues;
  }

  static SeriesData copy(StoredSeries s, long mint, long maxt, boolean dropStale, Column column) {
    int n = s.size();
    StoredSeries.WindowAggregates agg = s.aggregates();
    // Aggregates are index-aligned with the stored samples, so tier data is copied whole; the values are read from
    // the column the function needs rather than trusting whatever the store put in the samples.
    if (agg != null) {
      long[] ts = new long[n];
      double[] vs = new double[n];
      s.copyTimestamps(ts);
      agg.copyColumn(column, vs, n);
      return new SeriesData(s.labels(), ts, vs, agg, column == Column.COUNTER);
    }
    if (s instanceof ArraySeries a && adoptable(a, mint, maxt, dropStale)) {
      return new SeriesData(s.labels(), a.timestampArray(), a.valueArray(), null);
    }
    int count = 0;
    for (int i = 0; i < n; i++) {
      long t = s.timestamp(i);
      if (t >= mint && t <= maxt && !(dropStale && StaleNaN.is(s.value(i)))) {
        count++;
      }
    }
    long[] ts = new long[count];
    double[] vs = new double[count];
    int j = 0;
    for (int i = 0; i < n; i++) {
      long t = s.timestamp(i);
      double v = s.value(i);
      if (t >= mint && t <= maxt && !(dropStale && StaleNaN.is(v))) {
        ts[j] = t;
        vs[j++] = v;
      }
    }
    return new SeriesData(s.labels(), ts, vs, null);
  }

  /** Whether the arrays hold exactly the samples the selector keeps, so they can be used without a copy. */
  private static boolean adoptable(ArraySeries a, long mint, long maxt, boolean dropStale) {
    long[] ts = a.timestampArray();
    if (ts.length == 0 || ts[0] < mint || ts[ts.length - 1] > maxt) {
      return false;
    }
    if (dropStale && a.mayHoldNaN()) {
      for (double v : a.valueArray()) {
        if (StaleNaN.is(v)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Whether any sample in {@code (from, to]} is lower than the one before it: a counter reset. Answered from a
   * prefix count built once per series, so rate over many steps scans each sample once rather than once per window
   * that contains it.
   */
  boolean dropsWithin(int from, int to) {
    int[] d = drops;
    if (d == null) {
      d = countDrops(vs);
      drops = d;
    }
    return d != NO_DROPS && d[to] != d[from];
  }

  private static int[] countDrops(double[] vs) {
    int first = 1;
    while (first < vs.length && !(vs[first] < vs[first - 1])) {
      first++;
    }
    if (first >= vs.length) {
      return NO_DROPS;
    }
    int[] d = new int[vs.length];
    for (int i = first; i < vs.length; i++) {
      d[i] = d[i - 1] + (vs[i] < vs[i - 1] ? 1 : 0);
    }
    return d;
  }

  /** The labels without the metric name, computed once per query rather than once per step. */
  Labels labelsWithoutName() {
    if (withoutName == null) {
      withoutName = LabelsOps.dropMetricName(labels);
    }
    return withoutName;
  }

  int size() {
    return ts.length;
  }

  /** The samples in {@code [mint, ref]} as a window ending at {@code ref}, or null when there are none. */
  RangeWindow window(long mint, long ref) {
    int lo = ceil(mint);
    int hi = floor(ref);
    return hi < lo ? null : new RangeWindow(this, lo, hi + 1, mint, ref);
  }

  /** Index of the last sample at or before {@code t}, or -1. */
  int floor(long t) {
    int from = floorHint;
    int i;
    if (from >= 0 && from < ts.length && ts[from] <= t) {
      i = from;
      int stop = Math.min(ts.length - 1, from + LINEAR_STEPS);
      while (i < stop && ts[i + 1] <= t) {
        i++;
      }
      if (i == stop && stop < ts.length - 1 && ts[stop + 1] <= t) {
        i = floorIn(t, stop, ts.length - 1);
      }
    } else {
      i = floorIn(t, 0, ts.length - 1);
    }
    floorHint = i;
    return i;
  }

  /** Index of the first sample at or after {@code t}, or size(). */
  int ceil(long t) {
    int from = ceilHint;
    int i;
    if (from > 0 && from <= ts.length && ts[from - 1] < t) {
      i = from;
      int stop = Math.min(ts.length, from + LINEAR_STEPS);
      while (i < stop && ts[i] < t) {
        i++;
      }
      if (i == stop && stop < ts.length && ts[stop] < t) {
        i = ceilIn(t, stop, ts.length - 1);
      }
    } else {
      i = ceilIn(t, 0, ts.length - 1);
    }
    ceilHint = i;
    return i;
  }

  private int floorIn(long t, int lo, int hi) {
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (ts[mid] <= t) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return hi;
  }

  private int ceilIn(long t, int lo, int hi) {
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (ts[mid] < t) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }
}
