package io.acceltel.promql.storage;

import java.util.List;

/**
 * What the engine knows about a selection when it asks for data, like Prometheus's {@code storage.SelectHints}: the
 * time range (lookback and range included), the query step, the range of a range selector, and the function or
 * aggregation around it. A store with downsampled tiers uses these to pick a tier and the aggregate to return.
 *
 * @param start earliest sample time needed (ms), inclusive
 * @param end latest sample time needed (ms), inclusive
 * @param stepMillis the range query's step; 0 for instant queries
 * @param rangeMillis the range of a range selector ({@code x[5m]}); 0 for an instant selector
 * @param function the innermost function the selector is an argument of ({@code rate}, {@code max_over_time}, ...),
 *     or the aggregation around it ({@code max}, {@code sum}); empty when none
 * @param grouping the aggregation's by/without labels, when known
 * @param maxSourceResolutionMillis {@code max_source_resolution} from the request: 0 = raw only, -1 = automatic
 * @param readFrom with {@code readEvery >= 0}: the selector is an instant selector read only at {@code readFrom},
 *     {@code readFrom + readEvery}, ... up to {@code end}, each time taking the newest sample at or before it, so a
 *     store may leave out every other sample
 * @param readEvery the interval of those reads, 0 for a single read; {@link #READ_ANYWHERE} when the selector is
 *     read at other times too (a range selector, an {@code @} modifier)
 */
public record SelectHints(long start, long end, long stepMillis, long rangeMillis, String function,
    List<String> grouping, long maxSourceResolutionMillis, long readFrom, long readEvery) {
  public static final long AUTO_RESOLUTION = -1;
  public static final long READ_ANYWHERE = -1;

  public SelectHints {
    grouping = List.copyOf(grouping);
  }

  /** Hints for a selector read anywhere in {@code [start, end]}. */
  public SelectHints(long start, long end, long stepMillis, long rangeMillis, String function, List<String> grouping,
      long maxSourceResolutionMillis) {
    this(start, end, stepMillis, rangeMillis, function, grouping, maxSourceResolutionMillis, start, READ_ANYWHERE);
  }
}
