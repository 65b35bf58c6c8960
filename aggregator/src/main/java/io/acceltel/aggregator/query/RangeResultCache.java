package io.acceltel.aggregator.query;

import io.acceltel.aggregator.storage.ChangeTracker;
import io.acceltel.model.series.Labels;
import io.acceltel.promql.value.Matrix;
import io.acceltel.promql.value.Series;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Keeps the steps of range queries it has answered, so that a dashboard refreshing "the last hour" every few seconds
 * evaluates only the steps that are new since its last refresh (the idea of VictoriaMetrics' rollup result cache and
 * of the Cortex and Thanos query frontends' results cache).
 *
 * <pre>{@code
 * RangeResultCache cache = new RangeResultCache(Settings.defaults(), storage.changes(), clock, registry);
 * Part answer = cache.query(Key.of(query, start, step, lookback, msr), start, end, (from, to) -> evaluate(from, to));
 * }</pre>
 *
 * <p><b>What is kept.</b> Per query, step, alignment ({@code start} modulo the step), lookback and
 * {@code max_source_resolution}: one contiguous run of steps and each series' points on them. Only steps older than
 * {@link Settings#recent()} are kept (and, for an answer read from a tier, older than the start of that tier's
 * current window), because newer data may still be arriving. A request takes the kept steps it covers and evaluates
 * the steps before and after them as range queries of their own; the parts are put together by series.
 *
 * <p><b>Why the answer is the same as without the cache.</b> The callers only send queries whose every step depends on
 * that step's time and data at or before it ({@link io.acceltel.promql.parser.Exprs#stepLocal}), and a part whose
 * answer depended on the whole range anyway (a resolution that fell back because retention deleted the one asked
 * for, or a warning) makes the request evaluate whole, uncached. Data that changes under kept steps (a sample
 * appended into settled time, retention deleting data) moves the {@link ChangeTracker}'s generation, which voids
 * everything kept before it. A kept answer may let a request through that would exceed the sample limit if
 * evaluated whole: the limits apply to what is evaluated.
 *
 * <p><b>Memory.</b> At most {@link Settings#maxBytes()} (an estimate: 16 bytes a point plus the labels), least
 * recently used evicted first; an answer larger than an eighth of it is not kept.
 *
 * <p>Thread-safe: lookups and stores take one lock briefly; evaluations run outside it.
 */
public final class RangeResultCache {
  /**
   * @param maxBytes memory for kept answers; 0 turns the cache off
   * @param recent how far back from now steps are always evaluated, never kept: data arriving later than this
   *     (a backfill, a replay, ticks held while Kafka was unreachable) voids the whole cache
   */
  public record Settings(long maxBytes, Duration recent) {
    public static final Duration DEFAULT_RECENT = Duration.ofMinutes(5);
    public static final long DEFAULT_MAX_BYTES = 256L << 20;
    public static final Settings OFF = new Settings(0, DEFAULT_RECENT);

    public Settings {
      if (maxBytes < 0) {
        throw new IllegalArgumentException("query-cache.max-bytes = " + maxBytes + ": give 0 (off) or more");
      }
      if (recent == null || recent.isNegative()) {
        throw new IllegalArgumentException("query-cache.recent = " + recent + ": give a duration >= 0");
      }
    }

    /** An eighth of the heap, at most 256 MiB; steps of the last 5 minutes always evaluated. */
    public static Settings defaults() {
      return new Settings(Math.min(DEFAULT_MAX_BYTES, Runtime.getRuntime().maxMemory() / 8), DEFAULT_RECENT);
    }
  }

  /** What makes two requests' steps interchangeable. {@code phase} is the start modulo the step. */
  public record Key(String query, long stepMillis, long phaseMillis, long lookbackMillis,
      long maxSourceResolutionMillis) {
    /** The key of a range query that starts at {@code startMillis}. */
    public static Key of(String query, long startMillis, long stepMillis, long lookbackMillis,
        long maxSourceResolutionMillis) {
      return new Key(query, stepMillis, Math.floorMod(startMillis, stepMillis), lookbackMillis,
          maxSourceResolutionMillis);
    }
  }

  /** Evaluates the request's query over {@code [start, end]} (inclusive) at its step. */
  @FunctionalInterface
  public interface Evaluation {
    Part evaluate(long start, long end);
  }

  /**
   * An evaluated range, or the whole answer.
   *
   * @param stepLocal false when the answer depends on the whole range rather than on each step alone (a resolution
   *     that fell back)
   * @param coarsestResolutionMillis the coarsest resolution the evaluation read, 0 for raw samples
   */
  public record Part(Matrix matrix, List<String> warnings, boolean stepLocal, long coarsestResolutionMillis) {
    boolean keepable() {
      return stepLocal && warnings.isEmpty();
    }
  }

  /** One key's kept steps: {@code [start, end]} on the key's grid, and every series' points on them. */
  private record Extent(long start, long end, List<Series> series, long coarsestResolutionMillis, long generation,
      long bytes) {}

  private final Settings settings;
  private final ChangeTracker changes;
  private final LongSupplier clock;
  private final LinkedHashMap<Key, Extent> extents = new LinkedHashMap<>(64, 0.75f, true);
  private long bytes;
  private final Counter lookups;
  private final Counter evictions;

  public RangeResultCache(Settings settings, ChangeTracker changes, LongSupplier clock, PrometheusRegistry registry) {
    this.settings = settings;
    this.changes = changes;
    this.clock = clock;
    this.lookups = Counter.builder().name("acceltel_aggregator_query_cache_requests_total")
        .help("Range queries by what the result cache did: hit (answered from kept steps alone), partial (kept "
            + "steps and evaluated ones), miss (evaluated whole, its settled steps kept), uncacheable (evaluated "
            + "whole, nothing kept: an @ modifier, a negative offset, a resolution that fell back, a warning, or "
            + "nocache=1).")
        .labelNames("outcome").register(registry);
    this.evictions = Counter.builder().name("acceltel_aggregator_query_cache_evictions_total")
        .help("Kept range-query answers evicted to stay within query-cache.max-bytes.").register(registry);
    CounterWithCallback.builder().name("acceltel_aggregator_query_cache_invalidations_total")
        .help("Times every kept answer was voided: a sample was appended older than query-cache.recent, or "
            + "retention deleted data.")
        .callback(cb -> cb.call(changes.generation())).register(registry);
    GaugeWithCallback.builder().name("acceltel_aggregator_query_cache_size_bytes").unit(Unit.BYTES)
        .help("Estimated memory of the kept range-query answers.")
        .callback(cb -> cb.call(sizeBytes())).register(registry);
  }

  public boolean enabled() {
    return settings.maxBytes() > 0;
  }

  /** Counts a range query that the caller evaluates without the cache, for the requests metric. */
  public void bypassed() {
    lookups.labelValues("uncacheable").inc();
  }

  /** The answer over {@code [start, end]}: kept steps where there are any, evaluated steps for the rest. */
  public Part query(Key key, long start, long end, Evaluation evaluation) {
    long step = key.stepMillis();
    long settled = clock.getAsLong() - settings.recent().toMillis();
    long generation = changes.settle(settled); // before anything is read
    Extent kept = lookup(key, generation);
    if (kept == null || kept.end() < start || kept.start() > end) {
      Part whole = evaluation.evaluate(start, end);
      lookups.labelValues(whole.keepable() ? "miss" : "uncacheable").inc();
      if (whole.keepable()) {
        keep(key, start, end, whole.matrix().series(), whole.coarsestResolutionMillis(), settled, generation);
      }
      return whole;
    }
    Part before = start < kept.start() ? evaluation.evaluate(start, kept.start() - step) : null;
    Part after = end - kept.end() >= step ? evaluation.evaluate(kept.end() + step, end) : null;
    if (before != null && !before.keepable() || after != null && !after.keepable()) {
      lookups.labelValues("uncacheable").inc();
      return evaluation.evaluate(start, end);
    }
    List<Series> keptSteps = slice(kept.series(), Math.max(start, kept.start()), Math.min(end, kept.end()));
    List<Series> merged = concat(before == null ? List.of() : before.matrix().series(), keptSteps,
        after == null ? List.of() : after.matrix().series());
    long coarsest = kept.coarsestResolutionMillis();
    for (Part p : new Part[] {before, after}) {
      coarsest = p == null ? coarsest : Math.max(coarsest, p.coarsestResolutionMillis());
    }
    lookups.labelValues(before == null && after == null ? "hit" : "partial").inc();
    if (before != null || after != null) {
      keep(key, start, end, merged, coarsest, settled, generation);
    }
    return new Part(new Matrix(merged), List.of(), true, coarsest);
  }

  /**
   * The answer over {@code [start, end]} when kept steps cover all of it with at most {@code maxPoints} points, else
   * null: for callers that answer such requests without evaluating anything, and go to {@link #query} otherwise.
   */
  public Part kept(Key key, long start, long end, int maxPoints) {
    Extent kept = lookup(key, changes.generation());
    if (kept == null || kept.start() > start || end - kept.end() >= key.stepMillis()) {
      return null;
    }
    List<Series> steps = slice(kept.series(), start, end);
    long points = 0;
    for (Series s : steps) {
      points += s.timestamps().length;
    }
    if (points > maxPoints) {
      return null;
    }
    lookups.labelValues("hit").inc();
    return new Part(new Matrix(steps), List.of(), true, kept.coarsestResolutionMillis());
  }

  /** Estimated bytes of everything kept. */
  public synchronized long sizeBytes() {
    return bytes;
  }

  private synchronized Extent lookup(Key key, long generation) {
    Extent e = extents.get(key);
    if (e != null && e.generation() != generation) {
      remove(key);
      return null;
    }
    return e;
  }

  /**
   * Keeps the steps of {@code [start, end]} before {@code settled}, or before the start of the window that holds
   * it at the coarsest resolution read, when nothing has changed since {@code generation}.
   */
  private void keep(Key key, long start, long end, List<Series> series, long coarsestResolutionMillis,
      long settled, long generation) {
    if (!enabled()) {
      return;
    }
    long limit = coarsestResolutionMillis > 0 ? Math.floorDiv(settled, coarsestResolutionMillis)
        * coarsestResolutionMillis : settled;
    long step = key.stepMillis();
    if (limit <= start) {
      return;
    }
    long last = start + (Math.min(end, limit - 1) - start) / step * step; // on the grid: end may not be
    List<Series> kept = slice(series, start, last);
    // The key is kept too: counted, or queries made unique by a comment would each keep a small answer and a large
    // text, and fill the heap well within the byte bound.
    long size = 64 + 2L * key.query().length();
    for (Series s : kept) {
      size += bytesOf(s);
    }
    if (size > settings.maxBytes() / 8) {
      return;
    }
    synchronized (this) {
      if (changes.generation() != generation) {
        return;
      }
      remove(key);
      extents.put(key, new Extent(start, last, kept, coarsestResolutionMillis, generation, size));
      bytes += size;
      Iterator<Map.Entry<Key, Extent>> eldest = extents.entrySet().iterator();
      while (bytes > settings.maxBytes() && eldest.hasNext()) {
        bytes -= eldest.next().getValue().bytes();
        eldest.remove();
        evictions.inc();
      }
    }
  }

  private void remove(Key key) {
    Extent old = extents.remove(key);
    if (old != null) {
      bytes -= old.bytes();
    }
  }

  private static long bytesOf(Series s) {
    long size = 96 + 16L * s.timestamps().length;
    Labels l = s.labels();
    for (int i = 0; i < l.size(); i++) {
      size += 96 + l.name(i).length() + l.value(i).length(); // two strings each, shared or not
    }
    return size;
  }

  /** Each series' points in {@code [from, to]}; series left with none are dropped. */
  private static List<Series> slice(List<Series> series, long from, long to) {
    List<Series> out = new ArrayList<>(series.size());
    for (Series s : series) {
      long[] t = s.timestamps();
      int a = firstAtOrAfter(t, from);
      int b = firstAtOrAfter(t, to + 1);
      if (a == 0 && b == t.length) {
        out.add(s);
      } else if (a < b) {
        out.add(new Series(s.labels(), Arrays.copyOfRange(t, a, b), Arrays.copyOfRange(s.values(), a, b)));
      }
    }
    return out;
  }

  private static int firstAtOrAfter(long[] t, long x) {
    int i = Arrays.binarySearch(t, x);
    return i >= 0 ? i : -i - 1;
  }

  /**
   * The series of three consecutive ranges, each list sorted by labels, as one list sorted by labels: a series in
   * several of them gets their points in order.
   */
  private static List<Series> concat(List<Series> first, List<Series> second, List<Series> third) {
    if (first.isEmpty() && third.isEmpty()) {
      return second;
    }
    Map<Labels, List<Series>> byLabels = new TreeMap<>();
    for (List<Series> part : List.of(first, second, third)) {
      for (Series s : part) {
        byLabels.computeIfAbsent(s.labels(), l -> new ArrayList<>(3)).add(s);
      }
    }
    List<Series> out = new ArrayList<>(byLabels.size());
    for (List<Series> pieces : byLabels.values()) {
      if (pieces.size() == 1) {
        out.add(pieces.get(0));
        continue;
      }
      int n = 0;
      for (Series p : pieces) {
        n += p.timestamps().length;
      }
      long[] t = new long[n];
      double[] v = new double[n];
      int at = 0;
      for (Series p : pieces) {
        System.arraycopy(p.timestamps(), 0, t, at, p.timestamps().length);
        System.arraycopy(p.values(), 0, v, at, p.values().length);
        at += p.timestamps().length;
      }
      out.add(new Series(pieces.get(0).labels(), t, v));
    }
    return out;
  }
}
