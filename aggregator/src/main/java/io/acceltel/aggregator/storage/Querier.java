package io.acceltel.aggregator.storage;

import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.series.Labels;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * Reads series for the PromQL engine and the HTTP API. Thread-safe and concurrent with appends: each call sees a
 * consistent snapshot (sealed chunks are immutable; the open head chunk is copied up to a published sample count;
 * block publication and head trimming are atomic with respect to queries), so no torn data is ever returned.
 * Time bounds are inclusive milliseconds. Results are sorted by labels.
 *
 * <pre>{@code
 * Querier q = storage.querier();
 * List<LabelMatcher> ms = List.of(LabelMatcher.equal("__name__", "accelerator_utilization_ratio"));
 * Resolution res = q.resolutionsCovering(mint, maxt).get(0);      // finest that still covers the range
 * for (SeriesData s : q.select(ms, mint, maxt, res)) { ... }
 * }</pre>
 */
public interface Querier {
  /** Series with data in [mint, maxt] at any resolution, matching every matcher. */
  default List<io.acceltel.model.series.Labels> series(List<LabelMatcher> matchers, long mint, long maxt) {
    return series(matchers, mint, maxt, Integer.MAX_VALUE);
  }

  /**
   * The first {@code max} (in label order) of the series with data in [mint, maxt]: a metadata request with a
   * limit, or one that may list at most so many, holds only that many label sets however many match.
   */
  List<io.acceltel.model.series.Labels> series(List<LabelMatcher> matchers, long mint, long maxt, int max);

  /** Sorted label names of the matching series with data in [mint, maxt]; all series when matchers is empty. */
  List<String> labelNames(List<LabelMatcher> matchers, long mint, long maxt);

  /** Sorted values of label {@code name} over the matching series with data in [mint, maxt]. */
  List<String> labelValues(String name, List<LabelMatcher> matchers, long mint, long maxt);

  /**
   * The data of each matching series in [mint, maxt] at the given resolution: {@link RawSeries} for
   * {@link Resolution#RAW}, {@link WindowSeries} for a tier. Series with nothing in the range are left out.
   *
   * @throws IllegalArgumentException when the resolution is neither raw nor a configured tier
   */
  List<SeriesData> select(List<LabelMatcher> matchers, long mint, long maxt, Resolution resolution);

  /** Raw resolution, typed. */
  default List<RawSeries> selectRaw(List<LabelMatcher> matchers, long mint, long maxt) {
    return selectRaw(matchers, mint, maxt, null);
  }

  /**
   * Raw resolution for an instant selector read only at the times of {@code grid}: each series' decoded arrays
   * keep only the samples such a reader can use (see {@link StepGrid}). A null grid keeps every sample.
   */
  default List<RawSeries> selectRaw(List<LabelMatcher> matchers, long mint, long maxt, StepGrid grid) {
    return selectRaw(matchers, mint, maxt, grid, DecodeBudget.UNLIMITED);
  }

  /** As {@link #selectRaw(List, long, long, StepGrid)}, asking {@code budget} before decoding. */
  List<RawSeries> selectRaw(List<LabelMatcher> matchers, long mint, long maxt, StepGrid grid, DecodeBudget budget);

  /**
   * Raw resolution, each series from its own start: {@code seriesFrom} gives it (at least {@code mint} is kept), and
   * chunks that end before it are not decoded. A tier selection's raw tail starts after each series' own last
   * window, not after the oldest of all of them.
   */
  List<RawSeries> selectRawFrom(List<LabelMatcher> matchers, long mint, long maxt, ToLongFunction<Labels> seriesFrom,
      DecodeBudget budget);

  /** A tier, typed, with every column. */
  default List<WindowSeries> selectWindows(List<LabelMatcher> matchers, long mint, long maxt, Resolution tier) {
    return selectWindows(matchers, mint, maxt, tier, EnumSet.allOf(WindowColumn.class));
  }

  /**
   * A tier, reading only the given columns: the others are not decoded and {@link WindowSeries} refuses them.
   *
   * @throws IllegalArgumentException when the resolution is raw or not a configured tier
   */
  default List<WindowSeries> selectWindows(List<LabelMatcher> matchers, long mint, long maxt, Resolution tier,
      Set<WindowColumn> columns) {
    return selectWindows(matchers, mint, maxt, tier, columns, DecodeBudget.UNLIMITED);
  }

  /** As {@link #selectWindows(List, long, long, Resolution, Set)}, asking {@code budget} before decoding. */
  List<WindowSeries> selectWindows(List<LabelMatcher> matchers, long mint, long maxt, Resolution tier,
      Set<WindowColumn> columns, DecodeBudget budget);

  /** Raw followed by the configured tiers, finest first. */
  List<Resolution> resolutions();

  /** What one resolution holds and since when retention has removed its data. */
  Coverage coverage(Resolution resolution);

  /**
   * The end of the newest raw block ({@code Long.MIN_VALUE} while there is none): raw data refuses samples before
   * it, so every tier window that ends by it was completed when that block was cut, before the block was published,
   * and only later ones may still be filling (their samples readable from raw data alone). Windows filled by
   * tier-only samples (older than the raw blocks) are the exception: they complete as usual, when a later window
   * starts or their tier block is cut.
   */
  long rawBlocksEnd();

  /**
   * The resolutions, finest first, whose retention still covers {@code [mint, maxt]} entirely (retainedFrom &lt;=
   * mint). Raw drops out of this list once its blocks age out; the caller then reads the first tier listed.
   */
  List<Resolution> resolutionsCovering(long mint, long maxt);
}
