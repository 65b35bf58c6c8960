package io.acceltel.aggregator.ingest;

import io.acceltel.model.series.Labels;

/** Turns a label set into the storage's series reference, creating the series on first sight. */
@FunctionalInterface
public interface SeriesResolver {
  int ref(Labels labels);
}
