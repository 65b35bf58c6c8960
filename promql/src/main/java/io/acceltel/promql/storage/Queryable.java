package io.acceltel.promql.storage;

import io.acceltel.model.series.LabelMatcher;
import java.util.List;

/**
 * What the engine reads from: series selected by matchers over a time range. The aggregator implements it over its
 * storage (choosing raw data or a downsampled tier from the hints); tests implement it over in-memory series.
 */
public interface Queryable {
  /**
   * The series matching every matcher with samples in {@code [hints.start(), hints.end()]}, sorted by labels.
   * Implementations may return more samples than asked (whole chunks); the engine trims.
   */
  List<StoredSeries> select(SelectHints hints, List<LabelMatcher> matchers);
}
