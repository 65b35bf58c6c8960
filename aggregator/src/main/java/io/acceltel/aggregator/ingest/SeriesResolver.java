package io.acceltel.aggregator.ingest;

import io.acceltel.model.series.Labels;

/** Turns a label set into the storage's series reference, creating the series on first sight. */
@FunctionalInterface
public interface SeriesResolver {
  int ref(Labels labels);

  /**
   * Refs resolved earlier stay valid while this stays the same; decoders that cache refs drop them when it moves
   * (see {@link io.acceltel.aggregator.storage.Appender#refGeneration()}).
   */
  default long generation() {
    return 0;
  }
}
