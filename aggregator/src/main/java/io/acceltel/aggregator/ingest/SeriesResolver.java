package io.acceltel.aggregator.ingest;

import io.acceltel.model.series.Labels;

/** Turns a label set into the storage's series reference, creating the series on first sight. */
@FunctionalInterface
public interface SeriesResolver {
  /** The ref of a new series refused because the head holds its maximum of series: drop its samples. */
  int REFUSED = -2;

  /** The series' ref, or {@link #REFUSED}; a refused series is asked for again next time, not cached. */
  int ref(Labels labels);

  /**
   * Refs resolved earlier stay valid while this stays the same; decoders that cache refs drop them when it moves
   * (see {@link io.acceltel.aggregator.storage.Appender#refGeneration()}).
   */
  default long generation() {
    return 0;
  }
}
