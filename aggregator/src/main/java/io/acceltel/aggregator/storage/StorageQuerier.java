package io.acceltel.aggregator.storage;

import io.acceltel.aggregator.storage.block.Block;
import io.acceltel.aggregator.storage.chunk.AggrIterator;
import io.acceltel.aggregator.storage.chunk.Chunk;
import io.acceltel.aggregator.storage.chunk.XorAppender;
import io.acceltel.aggregator.storage.head.Head;
import io.acceltel.aggregator.storage.head.MemIndex;
import io.acceltel.aggregator.storage.head.MemSeries;
import io.acceltel.aggregator.storage.head.RawHead;
import io.acceltel.aggregator.storage.head.TierSeries;
import io.acceltel.aggregator.storage.index.MatcherSelector;
import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.series.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import java.util.stream.IntStream;

/**
 * {@link Querier} over blocks and head. Each call takes the block set and the head's chunk references together
 * under the publication read lock (short: no decoding inside), then reads blocks and decodes outside it.
 */
final class StorageQuerier implements Querier {
  private final Storage storage;

  StorageQuerier(Storage storage) {
    this.storage = storage;
  }

  private int resIndex(Resolution r) {
    int i = storage.resolutions().indexOf(r);
    if (i < 0) {
      throw new IllegalArgumentException("resolution " + r + " is not stored; available: " + storage.resolutions());
    }
    return i;
  }

  /**
   * Per series (sorted by labels) its chunks of resolution r overlapping [mint, maxt], in time order; each series'
   * from {@code seriesFrom} (at least mint) on, so that a series read from late copies no earlier block chunks.
   */
  private List<Map.Entry<Labels, List<Chunk>>> chunks(List<LabelMatcher> matchers, long mint, long maxt, int r,
      ToLongFunction<Labels> seriesFrom) {
    // Hashed, then sorted once: each block holds its own Labels instances, and a sorted map compared the long,
    // equal label strings of every series log(n) times per block.
    Map<Labels, List<Chunk>> out = new HashMap<>();
    BlockSet bs;
    Head head = storage.head();
    List<Labels> headLabels = new ArrayList<>();
    List<List<Chunk>> headChunks = new ArrayList<>();
    MatcherSelector.ValueMatches decided = decidedOnHeadValues(matchers);
    storage.publishLock().readLock().lock();
    try {
      bs = storage.blocks();
      try (MemIndex.View view = head.index().lockedView()) {
        for (int ref : MatcherSelector.select(view, matchers, decided)) {
          MemSeries s = view.series(ref);
          long from = seriesFrom.applyAsLong(s.labels());
          List<Chunk> cs = new ArrayList<>();
          if (r == 0) {
            RawHead.State st = s.raw().state();
            addOverlapping(cs, st.sealed(), from, maxt);
            if (st.open() != null && st.open().firstTime() <= maxt) {
              // Only when it overlaps: a series that ended before mint must not be listed by series() (as in
              // Prometheus, whose head matches chunks by overlap).
              Chunk open = st.open().snapshot();
              if (open.overlaps(from, maxt)) {
                cs.add(open);
              }
            }
          } else {
            TierSeries.State st = s.tier(r - 1).state();
            addOverlapping(cs, st.sealed(), from, maxt);
            if (st.open() != null) {
              Chunk open = st.open().snapshot();
              if (open != null && open.overlaps(from, maxt)) {
                cs.add(open);
              }
            }
          }
          if (!cs.isEmpty()) {
            headLabels.add(s.labels());
            headChunks.add(cs);
          }
        }
      }
    } finally {
      storage.publishLock().readLock().unlock();
    }
    // Blocks are immutable: read them outside the lock. Blocks precede the head in time, so add them first.
    for (Block b : bs.blocks(r)) {
      if (!b.overlaps(mint, maxt)) {
        continue;
      }
      for (int ref : MatcherSelector.select(b, matchers)) {
        List<Chunk> cs = b.chunks(ref, seriesFrom.applyAsLong(b.labels(ref)), maxt);
        if (!cs.isEmpty()) {
          out.computeIfAbsent(b.labels(ref), k -> new ArrayList<>()).addAll(cs);
        }
      }
    }
    for (int i = 0; i < headLabels.size(); i++) {
      out.computeIfAbsent(headLabels.get(i), k -> new ArrayList<>()).addAll(headChunks.get(i));
    }
    List<Map.Entry<Labels, List<Chunk>>> sorted = new ArrayList<>(out.entrySet());
    sorted.sort(Map.Entry.comparingByKey());
    return sorted;
  }

  /**
   * Adds the chunks of {@code chunks} (in time order, not overlapping) that overlap {@code [mint, maxt]}. A head
   * series holds up to a block range of chunks and a dashboard reads the newest few: binary searches find the
   * first and the last, and the ones between are copied without being looked at, since each look is a likely
   * cache miss (this runs for every series of every query, under the storage's read lock).
   */
  static void addOverlapping(List<Chunk> out, Chunk[] chunks, long mint, long maxt) {
    int from = first(chunks, 0, c -> c.maxTime() >= mint);
    int to = first(chunks, from, c -> c.minTime() > maxt);
    if (from < to) {
      out.addAll(Arrays.asList(chunks).subList(from, to));
    }
  }

  /** Whether any of the time-ordered {@code chunks} overlaps [mint, maxt]: the first that ends at or after mint. */
  static boolean anyOverlapping(Chunk[] chunks, long mint, long maxt) {
    int from = first(chunks, 0, c -> c.maxTime() >= mint);
    return from < chunks.length && chunks[from].minTime() <= maxt;
  }

  /** The first index at or after {@code from} whose chunk satisfies {@code test}, which holds from some index on. */
  private static int first(Chunk[] chunks, int from, Predicate<Chunk> test) {
    int lo = from;
    int hi = chunks.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (test.test(chunks[mid])) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  @Override
  public List<SeriesData> select(List<LabelMatcher> matchers, long mint, long maxt, Resolution resolution) {
    if (!resolution.isRaw()) {
      return new ArrayList<>(selectWindows(matchers, mint, maxt, resolution, EnumSet.allOf(WindowColumn.class)));
    }
    return new ArrayList<>(selectRaw(matchers, mint, maxt, null));
  }

  @Override
  public List<RawSeries> selectRaw(List<LabelMatcher> matchers, long mint, long maxt, StepGrid grid,
      DecodeBudget budget) {
    return decodeEach(matchers, mint, maxt, 0, budget, RawSeries.class,
        (labels, chunks) -> new RawSeries(labels, chunks, mint, maxt, grid));
  }

  @Override
  public List<RawSeries> selectRawFrom(List<LabelMatcher> matchers, long mint, long maxt,
      ToLongFunction<Labels> seriesFrom, DecodeBudget budget) {
    // Tails are folded into windows one series at a time through their iterators: decoding every one up front
    // would hold 16 bytes per sample of each selected series (hours of them when a tier lags) until the fold ends.
    ToLongFunction<Labels> from = labels -> Math.max(mint, seriesFrom.applyAsLong(labels));
    return decodeEach(matchers, mint, maxt, 0, budget, RawSeries.class, from, RawSeries::hasSamples,
        (labels, chunks) -> new RawSeries(labels, chunks, from.applyAsLong(labels), maxt, null));
  }

  @Override
  public List<WindowSeries> selectWindows(List<LabelMatcher> matchers, long mint, long maxt, Resolution tier,
      Set<WindowColumn> columns, DecodeBudget budget) {
    if (tier.isRaw()) {
      throw new IllegalArgumentException("selectWindows needs a tier resolution, not raw");
    }
    int r = resIndex(tier);
    return decodeEach(matchers, mint, maxt, r, budget, WindowSeries.class,
        (labels, chunks) -> windows(labels, tier, chunks, mint, maxt, columns));
  }

  /** Decodes each selected series' chunks of resolution r; series with nothing in [mint, maxt] are left out. */
  private <T extends SeriesData> List<T> decodeEach(List<LabelMatcher> matchers, long mint, long maxt, int r,
      DecodeBudget budget, Class<T> type, BiFunction<Labels, List<Chunk>, T> decode) {
    // size() decodes a raw series, once, here where the decoding is spread over the cores
    return decodeEach(matchers, mint, maxt, r, budget, type, labels -> mint, d -> d.size() > 0, decode);
  }

  private <T extends SeriesData> List<T> decodeEach(List<LabelMatcher> matchers, long mint, long maxt, int r,
      DecodeBudget budget, Class<T> type, ToLongFunction<Labels> seriesFrom, Predicate<T> nonEmpty,
      BiFunction<Labels, List<Chunk>, T> decode) {
    List<T> out = new ArrayList<>();
    if (mint > maxt) {
      return out;
    }
    List<Map.Entry<Labels, List<Chunk>>> selected = chunks(matchers, mint, maxt, r, seriesFrom);
    long samplesAtLeast = 0;
    for (Map.Entry<Labels, List<Chunk>> e : selected) {
      for (Chunk c : e.getValue()) {
        if (c.minTime() >= mint && c.maxTime() <= maxt) {
          samplesAtLeast += c.count();
        }
      }
    }
    budget.beforeDecoding(selected.size(), samplesAtLeast);
    Object[] decoded = new Object[selected.size()];
    // Decoding is the query's heaviest part and each series decodes independently: spread it over the cores (the
    // calling thread takes part, so a query never waits for a free pool thread).
    IntStream.range(0, selected.size()).parallel().forEach(i -> {
      if (budget.canceled()) {
        return;
      }
      Map.Entry<Labels, List<Chunk>> e = selected.get(i);
      T d = decode.apply(e.getKey(), e.getValue());
      if (nonEmpty.test(d)) {
        decoded[i] = d;
      }
    });
    for (Object d : decoded) {
      if (d != null) {
        out.add(type.cast(d));
      }
    }
    return out;
  }

  private static WindowSeries windows(Labels labels, Resolution res, List<Chunk> chunks, long mint, long maxt,
      Set<WindowColumn> wanted) {
    int cap = 0;
    for (Chunk c : chunks) {
      cap += c.count();
    }
    long[] t = new long[cap];
    double[][] columns = new double[WindowColumn.values().length][];
    for (WindowColumn c : wanted) {
      columns[c.chunkColumn()] = new double[cap];
    }
    AggrIterator it = new AggrIterator();
    int k = 0;
    Chunk newest = null;
    int newestCount = 0;
    for (Chunk c : chunks) {
      int written = it.decodeInto(c, mint, maxt, t, columns, k);
      if (written > 0) {
        newest = c;
        newestCount = written;
      }
      k += written;
    }
    double finalLast = Double.NaN;
    if (k > 0 && columns[WindowColumn.LAST.chunkColumn()] != null) {
      finalLast = columns[WindowColumn.LAST.chunkColumn()][k - 1];
    } else if (k > 0) {
      // The newest window's last value continues a counter into raw samples after it (see WindowSeries): decode
      // that one column of the newest chunk rather than the whole column.
      long[] nt = new long[newest.count()];
      double[][] only = new double[WindowColumn.values().length][];
      only[WindowColumn.LAST.chunkColumn()] = new double[newest.count()];
      it.decodeInto(newest, mint, maxt, nt, only, 0);
      finalLast = only[WindowColumn.LAST.chunkColumn()][newestCount - 1];
    }
    return new WindowSeries(labels, res, t, columns, k, finalLast); // k <= cap: spare room rather than a copy
  }

  /**
   * The series with data in [mint, maxt] at any resolution. Answered from chunk time bounds alone: the metadata
   * endpoints (Grafana's label and variable queries, often over all time) must not copy chunk bytes out of every
   * block, nor hold the head's locks while doing so.
   */
  @Override
  public List<Labels> series(List<LabelMatcher> matchers, long mint, long maxt, int max) {
    if (max <= 0) {
      return List.of();
    }
    TreeSet<Labels> out = new TreeSet<>();
    forEachSeriesWithData(matchers, mint, maxt, labels -> {
      if (out.add(labels) && out.size() > max) {
        out.pollLast();
      }
    });
    return List.copyOf(out);
  }

  /**
   * Calls {@code sink} for each series with data in [mint, maxt], once per resolution holding it: the label
   * endpoints collect names or values from it without holding every matching label set at once.
   */
  private void forEachSeriesWithData(List<LabelMatcher> matchers, long mint, long maxt, Consumer<Labels> sink) {
    if (mint > maxt) {
      return;
    }
    MatcherSelector.ValueMatches decided = decidedOnHeadValues(matchers);
    for (int r = 0; r < storage.resolutions().size(); r++) {
      forEachSeriesWithData(matchers, decided, mint, maxt, r, sink);
    }
  }

  private void forEachSeriesWithData(List<LabelMatcher> matchers, MatcherSelector.ValueMatches decided, long mint,
      long maxt, int r, Consumer<Labels> sink) {
    BlockSet bs;
    storage.publishLock().readLock().lock();
    try {
      bs = storage.blocks();
      try (MemIndex.View view = storage.head().index().lockedView()) {
        for (int ref : MatcherSelector.select(view, matchers, decided)) {
          MemSeries s = view.series(ref);
          if (headHasData(s, r, mint, maxt)) {
            sink.accept(s.labels());
          }
        }
      }
    } finally {
      storage.publishLock().readLock().unlock();
    }
    for (Block b : bs.blocks(r)) {
      if (b.overlaps(mint, maxt)) {
        for (int ref : MatcherSelector.select(b, matchers)) {
          if (b.hasData(ref, mint, maxt)) {
            sink.accept(b.labels(ref));
          }
        }
      }
    }
  }

  /**
   * The regex matchers' verdicts on the head's label values, decided on a copy of the values before any lock is
   * taken: a costly regex over many values must not hold the head's index (new series wait for it) or the
   * publication lock (the checkpoint waits for it, and with it the Kafka ingest) for its duration. Values that
   * arrive in between are matched under the lock, as before.
   */
  private MatcherSelector.ValueMatches decidedOnHeadValues(List<LabelMatcher> matchers) {
    List<LabelMatcher> scanning = matchers.stream().filter(MatcherSelector::scansValues).toList();
    if (scanning.isEmpty()) {
      return MatcherSelector.EVALUATED;
    }
    List<List<String>> values = new ArrayList<>(scanning.size());
    try (MemIndex.View view = storage.head().index().lockedView()) {
      for (LabelMatcher m : scanning) {
        values.add(new ArrayList<>(view.values(m.name())));
      }
    }
    Map<LabelMatcher, Map<String, Boolean>> decided = new IdentityHashMap<>();
    for (int i = 0; i < scanning.size(); i++) {
      LabelMatcher m = scanning.get(i);
      Map<String, Boolean> verdicts = new HashMap<>(values.get(i).size() * 2);
      for (String v : values.get(i)) {
        verdicts.put(v, m.matches(v));
      }
      decided.put(m, verdicts);
    }
    return (m, v) -> {
      Map<String, Boolean> verdicts = decided.get(m);
      Boolean verdict = verdicts == null ? null : verdicts.get(v);
      return verdict != null ? verdict : m.matches(v);
    };
  }


  private static boolean headHasData(MemSeries s, int r, long mint, long maxt) {
    if (r == 0) {
      RawHead.State st = s.raw().state();
      XorAppender open = st.open();
      // An open chunk that starts inside the range has data in it; only one that starts before needs its end,
      // which a snapshot reads safely from this thread.
      return anyOverlapping(st.sealed(), mint, maxt) || open != null && open.count() > 0 && open.firstTime() <= maxt
          && (open.firstTime() >= mint || open.snapshot().overlaps(mint, maxt));
    }
    TierSeries.State st = s.tier(r - 1).state();
    if (anyOverlapping(st.sealed(), mint, maxt)) {
      return true;
    }
    Chunk open = st.open() == null ? null : st.open().snapshot();
    return open != null && open.overlaps(mint, maxt);
  }

  @Override
  public List<String> labelNames(List<LabelMatcher> matchers, long mint, long maxt) {
    TreeSet<String> names = new TreeSet<>();
    forEachSeriesWithData(matchers, mint, maxt, l -> {
      for (int i = 0; i < l.size(); i++) {
        names.add(l.name(i));
      }
    });
    return List.copyOf(names);
  }

  @Override
  public List<String> labelValues(String name, List<LabelMatcher> matchers, long mint, long maxt) {
    TreeSet<String> values = new TreeSet<>();
    forEachSeriesWithData(matchers, mint, maxt, l -> {
      String v = l.get(name);
      if (v != null) {
        values.add(v);
      }
    });
    return List.copyOf(values);
  }

  @Override
  public List<Resolution> resolutions() {
    return storage.resolutions();
  }

  @Override
  public Coverage coverage(Resolution resolution) {
    int r = resIndex(resolution);
    BlockSet bs = storage.blocks();
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    List<Block> blocks = bs.blocks(r);
    if (!blocks.isEmpty()) {
      min = blocks.get(0).meta().minTime();
      max = blocks.get(blocks.size() - 1).meta().maxTime() - 1;
    }
    long headMax = storage.head().maxTime();
    if (headMax != Long.MIN_VALUE) {
      max = Math.max(max, headMax);
      if (blocks.isEmpty()) {
        // Only then can the head hold the oldest data: it keeps what follows the last block cut, and appends
        // before that are refused. A walk over the head's series: racy reads of the writer's fields, fine for a
        // coverage estimate, but not something every query should pay for.
        min = Math.min(min, storage.head().minTime(r, Long.MIN_VALUE));
      }
    }
    return new Coverage(resolution, min, max, bs.retainedFrom(r));
  }

  @Override
  public long rawBlocksEnd() {
    List<Block> raw = storage.blocks().blocks(0);
    return raw.isEmpty() ? Long.MIN_VALUE : raw.get(raw.size() - 1).meta().maxTime();
  }

  @Override
  public List<Resolution> resolutionsCovering(long mint, long maxt) {
    BlockSet bs = storage.blocks();
    List<Resolution> out = new ArrayList<>();
    for (int r = 0; r < storage.resolutions().size(); r++) {
      if (bs.retainedFrom(r) <= mint) {
        out.add(storage.resolutions().get(r));
      }
    }
    return out;
  }
}
