package io.acceltel.aggregator.storage;

import io.acceltel.model.series.Labels;

/** One selected series: {@link RawSeries} at {@link Resolution#RAW}, {@link WindowSeries} for a tier. */
public sealed interface SeriesData permits RawSeries, WindowSeries {
  Labels labels();

  /** The number of samples (raw) or windows (tier) in the selected range. */
  int size();
}
