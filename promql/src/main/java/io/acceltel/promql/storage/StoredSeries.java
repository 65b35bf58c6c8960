package io.acceltel.promql.storage;

import io.acceltel.model.series.Labels;

/**
 * One selected series: its labels and its samples in time order. When the store answered from a downsampled tier,
 * {@link #aggregates()} carries the per-window aggregates so functions can stay exact (avg_over_time = Σsum/Σcount,
 * count_over_time = Σcount); the plain samples then hold the aggregate the store chose for the hinted function
 * (min for min_over_time, the reset-corrected counter for rate, last for a plain selector).
 */
public interface StoredSeries {
  Labels labels();

  int size();

  long timestamp(int i);

  double value(int i);

  /** Copies the timestamps into {@code dst[0, size())}; a store holding arrays overrides it with a bulk copy. */
  default void copyTimestamps(long[] dst) {
    for (int i = 0; i < size(); i++) {
      dst[i] = timestamp(i);
    }
  }

  /** Window aggregates aligned with the samples, or null for raw data. */
  default WindowAggregates aggregates() {
    return null;
  }

  /** Per-window aggregates of a downsampled tier, index-aligned with the series' samples. */
  interface WindowAggregates {
    /** The aggregates an engine reads as a tier series' sample values, depending on the enclosing function. */
    enum Column {
      LAST, MIN, MAX, COUNTER;

      /**
       * The column a selector reads on a tier, from the function or aggregation around it and whether the selector
       * has a range: min/min_over_time read the window minima, max/max_over_time the maxima, rate/increase/irate the
       * reset-corrected counter, everything else the last value (avg/sum/count_over_time read their own columns
       * through the aggregates). A store decodes what this says, so the engine and the store use this one choice.
       */
      public static Column forSelector(String function, boolean range) {
        if (function == null) {
          return LAST;
        }
        return switch (function) {
          case "min_over_time" -> range ? MIN : LAST;
          case "max_over_time" -> range ? MAX : LAST;
          case "min" -> range ? LAST : MIN;
          case "max" -> range ? LAST : MAX;
          case "rate", "increase", "irate" -> range ? COUNTER : LAST;
          default -> LAST;
        };
      }
    }

    long resolutionMillis();

    /** Copies the first {@code n} values of one column into {@code dst}; stores with arrays bulk-copy them. */
    default void copyColumn(Column column, double[] dst, int n) {
      for (int i = 0; i < n; i++) {
        dst[i] = switch (column) {
          case LAST -> last(i);
          case MIN -> min(i);
          case MAX -> max(i);
          case COUNTER -> counter(i);
        };
      }
    }

    double count(int i);

    double sum(int i);

    double min(int i);

    double max(int i);

    double last(int i);

    double counter(int i);
  }
}
