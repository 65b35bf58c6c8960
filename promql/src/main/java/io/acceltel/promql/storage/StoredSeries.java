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

  /** Window aggregates aligned with the samples, or null for raw data. */
  default WindowAggregates aggregates() {
    return null;
  }

  /** Per-window aggregates of a downsampled tier, index-aligned with the series' samples. */
  interface WindowAggregates {
    long resolutionMillis();

    double count(int i);

    double sum(int i);

    double min(int i);

    double max(int i);

    double last(int i);

    double counter(int i);
  }
}
