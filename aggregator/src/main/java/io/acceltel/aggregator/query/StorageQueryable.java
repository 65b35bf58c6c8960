package io.acceltel.aggregator.query;

import io.acceltel.aggregator.storage.DecodeBudget;
import io.acceltel.aggregator.storage.Querier;
import io.acceltel.aggregator.storage.RawSeries;
import io.acceltel.aggregator.storage.Resolution;
import io.acceltel.aggregator.storage.SampleIterator;
import io.acceltel.aggregator.storage.StepGrid;
import io.acceltel.aggregator.storage.WindowColumn;
import io.acceltel.aggregator.storage.WindowSeries;
import io.acceltel.aggregator.storage.chunk.Chunk;
import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.series.Labels;
import io.acceltel.promql.engine.QueryException;
import io.acceltel.promql.storage.ArraySeries;
import io.acceltel.promql.storage.Queryable;
import io.acceltel.promql.storage.SelectHints;
import io.acceltel.promql.storage.StoredSeries;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The PromQL engine's view of the aggregator's storage for one query: picks raw data or a downsampled tier for
 * each selection from its {@link SelectHints}, returns the aggregate the surrounding function needs, and enforces
 * the query's {@link QueryBudget}.
 *
 * <pre>{@code
 * StorageQueryable data = new StorageQueryable(storage.querier(), budget);
 * QueryResult r = engine.range(data, "max_over_time(accelerator_power_watts[1h])", start, end, 3_600_000,
 *     options, budget.canceled());
 * data.resolutionsUsed();   // [1m]: the tier the engine read
 * }</pre>
 *
 * <p><b>Which resolution.</b> With {@code max_source_resolution} automatic (the default), a range query reads the
 * coarsest resolution that is at most {@code step / 5}; when the selector has a range ({@code x[5m]}) shorter than
 * the step, {@code min(step, range) / 5}, so a range holds at least five points and {@code rate} keeps two. An
 * instant query reads raw. An explicit {@code max_source_resolution} reads the coarsest resolution at most that
 * ({@code 0} = raw). If the chosen resolution no longer covers the whole selection because retention deleted its
 * older data, the next coarser resolution that does is read instead (with a warning when the resolution was forced),
 * rather than answering with the retained part only.
 *
 * <p><b>Which aggregate.</b> See {@link Aggregate}: the samples of a tier series are that aggregate per window, at
 * the timestamp of the window's last raw sample, and {@link StoredSeries#aggregates()} carries all of them so the
 * engine can stay exact (avg = Σsum / Σcount, count = Σcount).
 *
 * <p><b>The newest window.</b> A tier stores completed windows only; the samples after a series' last completed
 * window are read from raw data and aggregated here into the same windows, so a tier answer reaches as far as raw
 * data does. A window is completed at the latest when raw data stops accepting samples of it, before raw
 * retention can delete them, so a series that stopped is answered from one or the other.
 *
 * <p>Thread-safe; meant to live for one query.
 */
public final class StorageQueryable implements Queryable {
  private static final long STALE_NAN_BITS = 0x7ff0000000000002L;
  private final Querier querier;
  private final QueryBudget budget;
  private final AtomicLong samples = new AtomicLong();
  private final Set<Resolution> used = Collections.synchronizedSet(new LinkedHashSet<>());
  private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean fellBack;

  public StorageQueryable(Querier querier, QueryBudget budget) {
    this.querier = querier;
    this.budget = budget;
  }

  public StorageQueryable(Querier querier) {
    this(querier, QueryBudget.UNLIMITED);
  }

  /** Samples (raw samples or windows) returned so far: the query log's {@code samples}. */
  public long samplesRead() {
    return samples.get();
  }

  /** The resolutions this query read, in first-use order. */
  public List<Resolution> resolutionsUsed() {
    synchronized (used) {
      return List.copyOf(used);
    }
  }

  /**
   * Whether some selection read a coarser resolution than its step asked for, because retention had deleted the
   * older part of the one it asked for. Such an answer depends on the query's whole range, not on each step alone.
   */
  public boolean fellBack() {
    return fellBack;
  }

  /** Warnings for the API response (a forced resolution that had to fall back). */
  public List<String> warnings() {
    synchronized (warnings) {
      return List.copyOf(new LinkedHashSet<>(warnings));
    }
  }

  @Override
  public List<StoredSeries> select(SelectHints hints, List<LabelMatcher> matchers) {
    checkCanceled();
    if (hints.start() > hints.end()) {
      return List.of();
    }
    Resolution preferred = preferred(querier, hints.stepMillis(), hints.rangeMillis(),
        hints.maxSourceResolutionMillis());
    Resolution res = covering(querier, preferred, hints.start(), hints.end(), hints.maxSourceResolutionMillis(),
        warnings);
    if (!res.equals(preferred)) {
      fellBack = true;
    }
    used.add(res);
    if (res.isRaw()) {
      return selectRaw(hints, matchers);
    }
    return selectTier(res, Aggregate.forFunction(hints.function(), hints.rangeMillis() != 0), hints, matchers);
  }

  /**
   * The resolution a selection reads (see the class comment). {@code warnings}, when not null, receives a note
   * when a forced resolution had to fall back to a coarser one.
   */
  public static Resolution choose(Querier querier, long start, long end, long stepMillis, long rangeMillis,
      long maxSourceResolutionMillis, List<String> warnings) {
    return covering(querier, preferred(querier, stepMillis, rangeMillis, maxSourceResolutionMillis), start, end,
        maxSourceResolutionMillis, warnings);
  }

  /**
   * The resolution a selection reads while that resolution still covers it: from the step (or the selector's
   * range) and {@code max_source_resolution} alone. {@link #choose} answers otherwise only when retention forces it.
   */
  public static Resolution preferred(Querier querier, long stepMillis, long rangeMillis,
      long maxSourceResolutionMillis) {
    boolean forced = maxSourceResolutionMillis != SelectHints.AUTO_RESOLUTION;
    long max;
    if (forced) {
      max = Math.max(0, maxSourceResolutionMillis);
    } else {
      long base = stepMillis > 0 ? stepMillis : 0;
      if (base > 0 && rangeMillis > 0) {
        base = Math.min(base, rangeMillis);
      }
      max = base / 5;
    }
    Resolution chosen = Resolution.RAW;
    for (Resolution r : querier.resolutions()) {
      if (r.millis() <= max) {
        chosen = r; // ascending: the last that fits is the coarsest
      }
    }
    return chosen;
  }

  /** {@code chosen} if it covers [start, end], else the next coarser one that does (see the class comment). */
  private static Resolution covering(Querier querier, Resolution chosen, long start, long end,
      long maxSourceResolutionMillis, List<String> warnings) {
    List<Resolution> all = querier.resolutions();
    List<Resolution> covering = querier.resolutionsCovering(start, end);
    if (covering.contains(chosen)) {
      return chosen;
    }
    Resolution fallback = null;
    for (Resolution r : covering) {
      if (r.millis() > chosen.millis()) {
        fallback = r;
        break;
      }
    }
    if (fallback == null) {
      // Nothing covers the whole range: the coarsest resolution keeps the longest history.
      fallback = all.get(all.size() - 1);
      if (fallback.millis() < chosen.millis()) {
        return chosen;
      }
    }
    if (maxSourceResolutionMillis != SelectHints.AUTO_RESOLUTION && warnings != null) {
      warnings.add("max_source_resolution=" + chosen + ": data at that resolution has aged out for part of the "
          + "range; answered from the " + fallback + " tier");
    }
    return fallback;
  }

  /**
   * Refuses a selection before it is decoded when its series, or even the lower bound of its samples, are over the
   * limits. The bound counts every sample of the chunks inside the range, so it only holds for selections that keep
   * them all: not for those thinned to a step grid, nor for tier windows, which are counted as the engine keeps them.
   */
  private DecodeBudget decodeBudget(boolean keepsEverySample) {
    return new DecodeBudget() {
      @Override
      public void beforeDecoding(int series, long samplesAtLeast) {
        checkCanceled();
        checkSeries(series);
        if (keepsEverySample && samples.get() + samplesAtLeast > budget.maxSamples()) {
          throw tooManySamples();
        }
      }

      @Override
      public boolean canceled() {
        return budget.canceled().getAsBoolean();
      }
    };
  }

  private void checkCanceled() {
    if (budget.canceled().getAsBoolean()) {
      throw new QueryException(QueryException.Type.CANCELED, "query was canceled while reading storage");
    }
  }

  private void checkSeries(int n) {
    if (n > budget.maxSeries()) {
      throw new QueryException(QueryException.Type.EXECUTION, "the query selects " + n + " series, more than the "
          + "limit of " + budget.maxSeries() + " per selector; add label matchers or aggregate with a recording rule");
    }
  }

  private void addSamples(long n) {
    if (samples.addAndGet(n) > budget.maxSamples()) {
      throw tooManySamples();
    }
  }

  private static QueryException tooManySamples() {
    return new QueryException(QueryException.Type.EXECUTION,
        "query processing would load too many samples into memory in query execution");
  }

  /** The times an instant selector is read at, or null when the selection is read anywhere (a range, a subquery). */
  private static StepGrid readGrid(SelectHints hints) {
    return hints.readEvery() == SelectHints.READ_ANYWHERE ? null
        : new StepGrid(hints.readFrom(), hints.readEvery(), hints.end());
  }

  private List<StoredSeries> selectRaw(SelectHints hints, List<LabelMatcher> matchers) {
    StepGrid grid = readGrid(hints);
    List<RawSeries> raw = querier.selectRaw(matchers, hints.start(), hints.end(), grid, decodeBudget(grid == null));
    checkCanceled(); // decoding stops quietly when canceled: what it returns may be missing series
    checkSeries(raw.size());
    List<StoredSeries> out = new ArrayList<>(raw.size());
    for (RawSeries s : raw) {
      checkCanceled();
      // The querier has decoded each series once already (to drop empty ones); the engine reads those arrays
      // as they are, with no copy per query.
      addSamples(s.size());
      if (s.size() > 0) {
        out.add(new ArraySeries(s.labels(), s.sharedTimestamps(), s.sharedValues(), s.mayHoldNaN()));
      }
    }
    return out;
  }

  private List<StoredSeries> selectTier(Resolution tier, Aggregate aggregate, SelectHints hints,
      List<LabelMatcher> matchers) {
    long r = tier.millis();
    // Before the windows: every window that ends by it was completed before it was published (see below).
    long rawBlocksEnd = querier.rawBlocksEnd();
    // Also the window that holds the selection's end, when it is complete: its samples up to the end are then in
    // it (its timestamp is after the end, so no step reads it) and must not be read again from raw data as a
    // window of their own. Otherwise a step's answer would depend on whether the query ended there.
    long windowsTo = hints.end() > Long.MAX_VALUE - r ? Long.MAX_VALUE : hints.end() + r - 1;
    List<WindowSeries> windows = querier.selectWindows(matchers, hints.start(), windowsTo, tier,
        aggregate.columns(), decodeBudget(false));
    checkCanceled();
    StepGrid grid = readGrid(hints);
    if (grid != null) {
      windows = windows.stream().map(w -> w.thinnedFor(grid)).toList(); // as raw selections are (StepGrid)
    }
    // Raw samples after each series' last completed window (the tail keeps only samples after it), so a series
    // that stopped long ago does not make every other series decode the hours of raw samples since. A series with
    // no completed window in the range (a short job's, a new one) may have windows still filling anywhere after
    // the raw blocks' end less a window (see Querier#rawBlocksEnd), and is read from there.
    long fillingFrom = rawBlocksEnd == Long.MIN_VALUE ? Long.MIN_VALUE : rawBlocksEnd - r + 1;
    Map<Labels, Long> ownFrom = new HashMap<>(windows.size() * 2);
    long earliestOwn = Long.MAX_VALUE;
    for (WindowSeries w : windows) {
      if (w.size() > 0) {
        long from = w.timestamp(w.size() - 1) + 1;
        ownFrom.put(w.labels(), from);
        earliestOwn = Math.min(earliestOwn, from);
      }
    }
    // From the start of the window that holds the selection's start, and (below) to the end of the one that holds
    // its end, as for stored windows: a window read from raw data is then the same whatever range asked for it, so
    // a range split into parts (the result cache) answers as the whole range would. Raw data older than its
    // retention is gone: what is left of the tail is read.
    long tailFrom = Math.max(Math.max(Math.floorDiv(hints.start(), r) * r, Math.min(earliestOwn, fillingFrom)),
        querier.coverage(Resolution.RAW).retainedFrom());
    List<RawSeries> tails = tailFrom <= hints.end()
        ? querier.selectRawFrom(matchers, tailFrom, windowsTo, labels -> ownFrom.getOrDefault(labels, tailFrom),
            decodeBudget(false))
        : List.of();
    checkCanceled(); // decoding stops quietly when canceled: what it returns may be missing series
    // Merge the two label-sorted lists.
    List<StoredSeries> out = new ArrayList<>(Math.max(windows.size(), tails.size()));
    int i = 0;
    int j = 0;
    int series = 0;
    while (i < windows.size() || j < tails.size()) {
      checkCanceled();
      WindowSeries w = null;
      RawSeries raw = null;
      if (i < windows.size() && j < tails.size()) {
        int c = windows.get(i).labels().compareTo(tails.get(j).labels());
        if (c <= 0) {
          w = windows.get(i++);
        }
        if (c >= 0) {
          raw = tails.get(j++);
        }
      } else if (i < windows.size()) {
        w = windows.get(i++);
      } else {
        raw = tails.get(j++);
      }
      checkSeries(++series);
      TierStored s = TierStored.build(w, raw, tier, aggregate, hints.end());
      if (s != null) {
        addSamples(s.size());
        out.add(s);
      }
    }
    return out;
  }

  /**
   * Tier windows (completed ones from the tier, the newest from raw data) with the chosen aggregate as value.
   * Holds only the columns the aggregate reads ({@link Aggregate#columns()}); the others are refused.
   */
  static final class TierStored implements StoredSeries, StoredSeries.WindowAggregates {
    private static final int COLUMNS = WindowColumn.values().length;
    private final Labels labels;
    private final long resolution;
    private final Aggregate aggregate;
    /** The stored windows (null when none), read in place: the engine copies what it keeps. */
    private final WindowSeries stored;
    private final int storedSize;
    /** The windows aggregated from raw samples after the stored ones; null when none. */
    private final TailWindows tail;
    private final int n;
    private final boolean[] readable = new boolean[COLUMNS];

    private TierStored(Labels labels, long resolution, Aggregate aggregate, WindowSeries stored, TailWindows tail) {
      this.labels = labels;
      this.resolution = resolution;
      this.aggregate = aggregate;
      this.stored = stored;
      this.storedSize = stored == null ? 0 : stored.size();
      this.tail = tail;
      this.n = storedSize + (tail == null ? 0 : tail.size);
      for (WindowColumn c : aggregate.columns()) {
        readable[c.ordinal()] = true;
      }
    }

    /**
     * {@code selected}'s windows up to {@code end}, then {@code raw}'s samples after its newest window (which may
     * lie after {@code end}) as windows of their own.
     */
    static TierStored build(WindowSeries selected, RawSeries raw, Resolution tier, Aggregate aggregate, long end) {
      long r = tier.millis();
      long lastT = selected == null || selected.size() == 0 ? Long.MIN_VALUE
          : selected.timestamp(selected.size() - 1);
      WindowSeries w = selected == null ? null : selected.upTo(end);
      int stored = w == null ? 0 : w.size();
      TailWindows tw = raw == null ? null : TailWindows.of(raw, lastT, r, w, stored, end);
      if (tw != null && tw.size == 0) {
        tw = null;
      }
      if (stored == 0 && tw == null) {
        return null;
      }
      return new TierStored(w != null ? w.labels() : raw.labels(), r, aggregate, stored > 0 ? w : null, tw);
    }

    /** The raw samples after a series' last stored window, aggregated into the tier's windows. */
    private static final class TailWindows {
      final long[] t;
      final double[][] columns = new double[COLUMNS][];
      int size;

      private TailWindows(int cap) {
        t = new long[cap];
        for (int c = 0; c < COLUMNS; c++) {
          columns[c] = new double[cap];
        }
      }

      /**
       * The windows of {@code tail}'s samples after {@code lastT}, those whose point lies after {@code end} left out.
       */
      static TailWindows of(RawSeries tail, long lastT, long r, WindowSeries w, int stored, long end) {
        TailWindows tw = new TailWindows(capacity(tail, lastT, r));
        double[] count = tw.columns[WindowColumn.COUNT.ordinal()];
        double[] sum = tw.columns[WindowColumn.SUM.ordinal()];
        double[] min = tw.columns[WindowColumn.MIN.ordinal()];
        double[] max = tw.columns[WindowColumn.MAX.ordinal()];
        double[] last = tw.columns[WindowColumn.LAST.ordinal()];
        double[] counter = tw.columns[WindowColumn.COUNTER.ordinal()];
        // The running counter carries on from the newest stored window (read when the counter is: Aggregate.COUNTER).
        double runningCounter = Double.NaN;
        double prev = Double.NaN;
        if (stored > 0 && w.has(WindowColumn.COUNTER)) {
          runningCounter = w.counter(stored - 1);
          prev = w.finalLast();
        }
        SampleIterator it = tail.iterator();
        long windowStart = Long.MIN_VALUE;
        int open = -1;
        int k = 0;
        while (it.next()) {
          long ts = it.timestamp();
          if (ts <= lastT) {
            continue;
          }
          double v = it.value();
          if (Double.doubleToRawLongBits(v) == STALE_NAN_BITS) {
            continue; // staleness markers are not samples; tiers do not aggregate them
          }
          if (!Double.isNaN(v)) {
            if (Double.isNaN(prev)) {
              runningCounter = Double.isNaN(runningCounter) ? v : runningCounter + v;
            } else {
              runningCounter += v < prev ? v : v - prev;
            }
            prev = v;
          }
          long ws = ts - Math.floorMod(ts, r);
          if (ws != windowStart || open < 0) {
            windowStart = ws;
            open = k++;
            count[open] = 0;
            sum[open] = 0;
            min[open] = v;
            max[open] = v;
          }
          count[open]++;
          sum[open] += v;
          if (v < min[open] || Double.isNaN(min[open])) {
            min[open] = v;
          }
          if (v > max[open] || Double.isNaN(max[open])) {
            max[open] = v;
          }
          last[open] = v;
          tw.t[open] = ts;
          counter[open] = runningCounter;
        }
        while (k > 0 && tw.t[k - 1] > end) {
          k--; // read up to the end of the window holding end, whose point may lie after it
        }
        tw.size = k;
        return tw;
      }

      /**
       * At most one window per sample, and no more than the windows the samples after {@code lastT} span: a tier
       * that lags by hours leaves thousands of raw samples per series to fold into a handful of windows, and sizing
       * the columns by samples would hold 64 bytes per sample of every selected series until the query ends.
       */
      private static int capacity(RawSeries tail, long lastT, long r) {
        long samples = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Chunk c : tail.chunks()) {
          if (c.maxTime() > lastT) {
            samples += c.count();
            first = Math.min(first, Math.max(c.minTime(), lastT + 1));
            last = Math.max(last, c.maxTime());
          }
        }
        if (samples == 0) {
          return 0;
        }
        long windows = Math.floorDiv(last, r) - Math.floorDiv(first, r) + 1;
        return (int) Math.min(samples, windows);
      }
    }

    /** The length of the tail's columns: what the windows aggregated from raw samples hold in memory. */
    int tailCapacity() {
      return tail == null ? 0 : tail.t.length;
    }

    private double column(WindowColumn c, int i) {
      if (!readable[c.ordinal()]) {
        throw new IllegalStateException("the " + c + " column was not read for " + aggregate + " on " + labels);
      }
      return i < storedSize ? stored.value(c, i) : tail.columns[c.ordinal()][Objects.checkIndex(i - storedSize,
          tail.size)];
    }

    @Override
    public Labels labels() {
      return labels;
    }

    @Override
    public int size() {
      return n;
    }

    @Override
    public long timestamp(int i) {
      return i < storedSize ? stored.timestamp(i) : tail.t[Objects.checkIndex(i - storedSize, tail.size)];
    }

    @Override
    public double value(int i) {
      return switch (aggregate) {
        case MIN -> min(i);
        case MAX -> max(i);
        case COUNTER -> counter(i);
        case AVG -> sum(i) / count(i);
        case COUNT -> count(i);
        case SUM -> sum(i);
        case LAST -> last(i);
      };
    }

    @Override
    public WindowAggregates aggregates() {
      return this;
    }

    @Override
    public void copyTimestamps(long[] dst) {
      if (stored != null) {
        stored.copyTimestamps(dst);
      }
      if (tail != null) {
        System.arraycopy(tail.t, 0, dst, storedSize, tail.size);
      }
    }

    @Override
    public void copyColumn(Column column, double[] dst, int count) {
      WindowColumn c = switch (column) {
        case LAST -> WindowColumn.LAST;
        case MIN -> WindowColumn.MIN;
        case MAX -> WindowColumn.MAX;
        case COUNTER -> WindowColumn.COUNTER;
      };
      if (!readable[c.ordinal()] || count != n) {
        WindowAggregates.super.copyColumn(column, dst, count); // refuses an unread column, as single reads do
        return;
      }
      if (stored != null) {
        stored.copyColumn(c, dst);
      }
      if (tail != null) {
        System.arraycopy(tail.columns[c.ordinal()], 0, dst, storedSize, tail.size);
      }
    }

    @Override
    public long resolutionMillis() {
      return resolution;
    }

    @Override
    public double count(int i) {
      return column(WindowColumn.COUNT, i);
    }

    @Override
    public double sum(int i) {
      return column(WindowColumn.SUM, i);
    }

    @Override
    public double min(int i) {
      return column(WindowColumn.MIN, i);
    }

    @Override
    public double max(int i) {
      return column(WindowColumn.MAX, i);
    }

    @Override
    public double last(int i) {
      return column(WindowColumn.LAST, i);
    }

    @Override
    public double counter(int i) {
      return column(WindowColumn.COUNTER, i);
    }

    @Override
    public String toString() {
      return labels + " " + Resolution.ofMillis(resolution) + " " + aggregate + " " + n + " windows "
          + (n > 0 ? "from " + timestamp(0) : "");
    }
  }
}
