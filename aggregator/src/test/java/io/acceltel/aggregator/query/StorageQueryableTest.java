package io.acceltel.aggregator.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.acceltel.aggregator.storage.Appender;
import io.acceltel.aggregator.storage.Resolution;
import io.acceltel.aggregator.storage.Storage;
import io.acceltel.aggregator.storage.StorageConfig;
import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.series.Labels;
import io.acceltel.promql.engine.QueryException;
import io.acceltel.promql.storage.SelectHints;
import io.acceltel.promql.storage.StoredSeries;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tier-aware {@link StorageQueryable} over real storage: which resolution a selection reads (step/5, the range,
 * {@code max_source_resolution}, fallback when raw aged out), which aggregate it returns per function, that tier
 * answers equal the same computation on raw samples over ranges aligned to the tier, that the newest (incomplete)
 * window is filled from raw data, and the sample and series limits.
 */
class StorageQueryableTest {
  /** An hour boundary; samples sit half a second after each second, so aligned ranges hold whole windows. */
  private static final long S = 1_700_002_800_000L;
  private static final Resolution S10 = Resolution.of(Duration.ofSeconds(10));
  private static final Resolution M1 = Resolution.of(Duration.ofMinutes(1));
  private static final Resolution M5 = Resolution.of(Duration.ofMinutes(5));
  private static final Resolution H1 = Resolution.of(Duration.ofHours(1));
  private static final int SECONDS = 2 * 3600;

  @TempDir
  Path dir;

  private static StorageConfig.Builder config() {
    return StorageConfig.builder()
        .blockDuration(Resolution.RAW, Duration.ofMinutes(10))
        .blockDuration(S10, Duration.ofMinutes(10))
        .blockDuration(M1, Duration.ofMinutes(30))
        .blockDuration(M5, Duration.ofHours(1))
        .blockDuration(H1, Duration.ofHours(2))
        .retention(Resolution.RAW, Duration.ZERO).retention(S10, Duration.ZERO).retention(M1, Duration.ZERO)
        .retention(M5, Duration.ZERO).retention(H1, Duration.ZERO);
  }

  /** A gauge with decimals and NaNs, and a counter with resets; every 10 minutes a checkpoint cuts blocks. */
  private static final class Data {
    final long[] t = new long[SECONDS];
    final double[] gauge = new double[SECONDS];
    final double[] counter = new double[SECONDS];

    Data() {
      Random r = new Random(11);
      double c = 100;
      for (int i = 0; i < SECONDS; i++) {
        t[i] = S + i * 1000L + 500;
        gauge[i] = i % 733 == 5 ? Double.NaN : (300_000 + r.nextInt(400_000)) / 1000.0;
        c = i % 1500 == 700 ? r.nextInt(20) : c + r.nextInt(50);
        counter[i] = c;
      }
    }

    void feed(Storage storage) throws Exception {
      Appender app = storage.appender();
      int g = app.ref(Labels.of("__name__", "g", "gpu", "0"));
      int c = app.ref(Labels.of("__name__", "c", "gpu", "0"));
      for (int i = 0; i < SECONDS; i++) {
        app.append(g, t[i], gauge[i]);
        app.append(c, t[i], counter[i]);
        if (i % 600 == 599) {
          storage.checkpoint(Map.of());
        }
      }
    }
  }

  private static SelectHints hints(long start, long end, long step, long range, String fn, long msr) {
    return new SelectHints(start, end, step, range, fn, List.of(), msr);
  }

  private static List<LabelMatcher> metric(String name) {
    return List.of(LabelMatcher.equal("__name__", name));
  }

  @Test
  void resolutionFollowsStepRangeAndMaxSourceResolution() throws Exception {
    try (Storage storage = Storage.open(dir, config().build())) {
      new Data().feed(storage);
      var q = storage.querier();
      long a = S + 3_600_000;
      long b = S + 7_000_000;
      long auto = SelectHints.AUTO_RESOLUTION;
      assertThat(StorageQueryable.choose(q, a, b, 0, 0, auto, null)).isEqualTo(Resolution.RAW);
      assertThat(StorageQueryable.choose(q, a, b, 0, 3_600_000, auto, null)).isEqualTo(Resolution.RAW);
      assertThat(StorageQueryable.choose(q, a, b, 15_000, 0, auto, null)).isEqualTo(Resolution.RAW);
      assertThat(StorageQueryable.choose(q, a, b, 60_000, 0, auto, null)).isEqualTo(S10);
      assertThat(StorageQueryable.choose(q, a, b, 300_000, 0, auto, null)).isEqualTo(M1);
      assertThat(StorageQueryable.choose(q, a, b, 3_600_000, 0, auto, null)).isEqualTo(M5);
      assertThat(StorageQueryable.choose(q, a, b, 5 * 3_600_000, 0, auto, null)).isEqualTo(H1);
      // A range shorter than the step keeps five points in it: rate(x[1m]) at a 1h step reads 10s windows.
      assertThat(StorageQueryable.choose(q, a, b, 3_600_000, 60_000, auto, null)).isEqualTo(S10);
      assertThat(StorageQueryable.choose(q, a, b, 3_600_000, 0, 0, null)).isEqualTo(Resolution.RAW);
      assertThat(StorageQueryable.choose(q, a, b, 15_000, 0, 300_000, null)).isEqualTo(M5);
      assertThat(StorageQueryable.choose(q, a, b, 15_000, 0, 420_000, null)).isEqualTo(M5);
    }
  }

  @Test
  void whenRawHasAgedOutTheNextCoarserTierAnswers() throws Exception {
    StorageConfig cfg = config().retention(Resolution.RAW, Duration.ofMinutes(30)).build();
    try (Storage storage = Storage.open(dir, cfg)) {
      new Data().feed(storage);
      var q = storage.querier();
      long early = S + 10 * 60_000;
      assertThat(q.resolutionsCovering(early, early + 60_000)).doesNotContain(Resolution.RAW);
      List<String> warnings = new ArrayList<>();
      assertThat(StorageQueryable.choose(q, early, early + 60_000, 0, 0, SelectHints.AUTO_RESOLUTION, warnings))
          .isEqualTo(S10);
      assertThat(warnings).isEmpty();
      StorageQueryable forced = new StorageQueryable(q);
      List<StoredSeries> s = forced.select(hints(early, early + 60_000, 0, 0, "", 0), metric("g"));
      assertThat(s).hasSize(1);
      assertThat(s.get(0).aggregates()).isNotNull();
      assertThat(s.get(0).aggregates().resolutionMillis()).isEqualTo(10_000);
      assertThat(forced.resolutionsUsed()).containsExactly(S10);
      assertThat(forced.warnings()).singleElement()
          .satisfies(w -> assertThat(w).contains("answered from the 10s tier"));
      // Recent data is still raw.
      long recent = S + SECONDS * 1000L - 120_000;
      assertThat(new StorageQueryable(q).select(hints(recent, recent + 60_000, 0, 0, "", 0), metric("g")).get(0)
          .aggregates()).isNull();
    }
  }

  /** Per aligned range [t - r, t] the tier answer (from the hinted aggregate) equals the raw computation. */
  @Test
  void tierAggregatesEqualRawOverAlignedRanges() throws Exception {
    Data data = new Data();
    try (Storage storage = Storage.open(dir, config().build())) {
      data.feed(storage);
      var q = storage.querier();
      for (Resolution tier : List.of(S10, M1, M5)) {
        long range = tier.millis() * 6;
        for (long end = S + range; end <= S + (SECONDS - 1) * 1000L; end += range) {
          long start = end - range;
          StorageQueryable tq = new StorageQueryable(q);
          List<StoredSeries> raw = new StorageQueryable(q).select(hints(start, end, 0, 0, "", 0), metric("g"));
          double[] rv = values(raw.get(0));
          for (String fn : List.of("max_over_time", "min_over_time", "sum_over_time", "count_over_time",
              "avg_over_time", "")) {
            // fn(g[range]): the function reads its column only around a range (a subquery's selector has none)
            StoredSeries t = tq.select(hints(start, end, 0, fn.isEmpty() ? 0 : range, fn, tier.millis()),
                metric("g")).get(0);
            assertThat(t.aggregates()).isNotNull();
            assertThat(t.aggregates().resolutionMillis()).isEqualTo(tier.millis());
            double expected;
            double actual;
            switch (fn) {
              case "max_over_time" -> {
                expected = max(rv);
                actual = max(values(t));
              }
              case "min_over_time" -> {
                expected = min(rv);
                actual = min(values(t));
              }
              case "sum_over_time" -> {
                expected = sum(rv);
                actual = sum(values(t));
              }
              case "count_over_time" -> {
                expected = rv.length;
                actual = sum(values(t));
              }
              case "avg_over_time" -> {
                expected = sum(rv) / rv.length;
                double s = 0;
                double n = 0;
                for (int i = 0; i < t.size(); i++) {
                  s += t.aggregates().sum(i);
                  n += t.aggregates().count(i);
                }
                actual = s / n;
              }
              default -> {
                expected = rv[rv.length - 1];
                actual = t.value(t.size() - 1);
              }
            }
            String what = fn + " at " + tier + " over [" + start + ", " + end + "]";
            if (Double.isNaN(expected)) {
              assertThat(actual).as(what).isNaN();
            } else {
              assertThat(actual).as(what).isCloseTo(expected, within(Math.abs(expected) * 1e-9 + 1e-9));
            }
          }
        }
      }
    }
  }

  /** counter(j) - counter(i) of the tier equals the reset-corrected raw increase over (t_i, t_j]. */
  @Test
  void theCounterAggregateIsTheResetCorrectedIncrease() throws Exception {
    Data data = new Data();
    try (Storage storage = Storage.open(dir, config().build())) {
      data.feed(storage);
      var q = storage.querier();
      for (String fn : List.of("rate", "increase", "irate")) {
        StoredSeries t = new StorageQueryable(q).select(hints(S, S + SECONDS * 1000L, 60_000, 300_000, fn,
            SelectHints.AUTO_RESOLUTION), metric("c")).get(0);
        assertThat(t.aggregates().resolutionMillis()).isEqualTo(10_000);
        for (int j = 1; j < t.size(); j += 7) {
          int i = Math.max(0, j - 30);
          double expected = 0;
          for (int k = 1; k < SECONDS; k++) {
            if (data.t[k] > t.timestamp(i) && data.t[k] <= t.timestamp(j)) {
              double prev = data.counter[k - 1];
              double v = data.counter[k];
              expected += v < prev ? v : v - prev;
            }
          }
          assertThat(t.value(j) - t.value(i)).as(fn + " " + i + ".." + j).isEqualTo(expected);
        }
      }
    }
  }

  /** The tier stores completed windows only; the newest, still filling, comes from raw data. */
  @Test
  void theNewestWindowIsFilledFromRawData() throws Exception {
    Data data = new Data();
    try (Storage storage = Storage.open(dir, config().build())) {
      data.feed(storage);
      long last = data.t[SECONDS - 1];
      StoredSeries t = new StorageQueryable(storage.querier()).select(hints(last - 600_000, last, 0, 600_000,
          "count_over_time", 60_000), metric("g")).get(0);
      assertThat(t.timestamp(t.size() - 1)).isEqualTo(last);
      long windowStart = last - Math.floorMod(last, 60_000L);
      long expected = (last - windowStart) / 1000 + 1;
      assertThat(t.value(t.size() - 1)).isEqualTo(expected);
      StoredSeries max = new StorageQueryable(storage.querier()).select(hints(last - 600_000, last, 0, 600_000,
          "max_over_time", 60_000), metric("g")).get(0);
      double m = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < SECONDS; i++) {
        if (data.t[i] >= windowStart && !Double.isNaN(data.gauge[i])) {
          m = Math.max(m, data.gauge[i]);
        }
      }
      assertThat(max.value(max.size() - 1)).isEqualTo(m);
    }
  }

  /**
   * A short job's series stops inside its only hour window while others go on for hours: that window never sees a
   * sample of a later one. Once raw data of that hour has been cut into blocks (and perhaps deleted), it must be
   * answered from the tier, not only after the tier's own block is cut (days later with production durations).
   */
  @Test
  void aSeriesThatStoppedInsideItsOnlyWindowIsAnsweredOnTheTierOnceRawIsCut() throws Exception {
    for (Duration rawRetention : List.of(Duration.ZERO, Duration.ofHours(1))) {
      Path d = dir.resolve("raw-retention-" + rawRetention.toMinutes());
      // The hour tier's blocks span ten days, as by default: its block is not cut within these four hours.
      try (Storage storage = Storage.open(d, config().blockDuration(H1, Duration.ofDays(10))
          .retention(Resolution.RAW, rawRetention).build())) {
        feedShortAndLongJob(storage, 0, 40 * 60, 4 * 3600);
        assertThat(shortJobWindows(storage, H1, S + 4 * 3_600_000L)).as("raw retention " + rawRetention)
            .containsExactly(2400.0);
      }
    }
  }

  /**
   * Before raw data is cut, the stopped series' last window is still filling, and its samples are read from raw
   * data however far behind the tier's newest window they lie: with two-hour raw blocks, hours for a 5m window.
   */
  @Test
  void aSeriesThatStoppedIsAnsweredFromRawWhileItsLastWindowIsFilling() throws Exception {
    try (Storage storage = Storage.open(dir, config().blockDuration(Resolution.RAW, Duration.ofHours(2))
        .blockDuration(M5, Duration.ofDays(1)).build())) {
      // Raw blocks align to two hours: [S - 1h, S + 1h) is cut at S + 2h, the next not before S + 4h; the 5m
      // tier's block of a day is not cut. The short job's window starts as the first raw block ends, nearly three
      // hours behind the 5m tier's newest window, and is still filling.
      feedShortAndLongJob(storage, 3600, 150, 4 * 3600);
      assertThat(storage.querier().rawBlocksEnd()).isEqualTo(S + 3_600_000L);
      assertThat(shortJobWindows(storage, M5, S + 4 * 3_600_000L)).containsExactly(150.0);
    }
  }

  /**
   * A window still filling is read from raw data whole, wherever the selection starts or ends inside it, as a stored
   * window is: the result cache evaluates a range in parts, and each part must answer as the whole range would.
   */
  @Test
  void aFillingWindowReadFromRawIsTheSameWhereverTheSelectionStartsOrEnds() throws Exception {
    try (Storage storage = Storage.open(dir, config().blockDuration(Resolution.RAW, Duration.ofHours(2))
        .blockDuration(M5, Duration.ofDays(1)).build())) {
      feedShortAndLongJob(storage, 3600, 150, 4 * 3600); // the short job's only window is still filling
      long end = S + 4 * 3_600_000L;
      assertThat(shortJobWindows(storage, M5, S, end)).containsExactly(150.0);
      assertThat(shortJobWindows(storage, M5, S + 3_660_000, end)).as("starting inside it").containsExactly(150.0);
      assertThat(shortJobWindows(storage, M5, S, S + 3_630_000)).as("ending inside it, before its last sample")
          .isEmpty();
    }
  }

  /**
   * A series hours behind the raw blocks (a spool draining, a backfill) fills tier windows raw data refuses: they
   * must complete as windows do, one point each, however many checkpoints pass while they fill.
   */
  @Test
  void windowsFilledBehindTheRawBlocksStayOnePointEachAcrossCheckpoints() throws Exception {
    try (Storage storage = Storage.open(dir, config().blockDuration(M5, Duration.ofDays(1)).build())) {
      feedShortAndLongJob(storage, 0, 0, 3 * 3600);
      Appender app = storage.appender();
      Labels late = Labels.of("__name__", "u", "job", "late");
      for (int i = 0; i < 30 * 60; i++) {
        app.append(app.ref(late), S + i * 1000L + 500, 1);
        if (i % 100 == 99) {
          storage.checkpoint(Map.of("spool/0", (long) i));
        }
      }
      List<StoredSeries> selected = new StorageQueryable(storage.querier()).select(hints(S, S + 3 * 3_600_000L,
          25 * 60_000, 300_000, "count_over_time", 300_000), List.of(LabelMatcher.equal("job", "late")));
      List<Double> counts = new ArrayList<>();
      for (int i = 0; i < selected.get(0).size(); i++) {
        counts.add(selected.get(0).aggregates().count(i));
      }
      assertThat(counts).as("the last window is still filling: read from neither tier nor raw")
          .containsExactly(300.0, 300.0, 300.0, 300.0, 300.0);
    }
  }

  /** Series {job="short"} for {@code shortSeconds} from {@code shortFrom}, {job="long"} from S; 1 s apart. */
  private static void feedShortAndLongJob(Storage storage, int shortFrom, int shortSeconds, int longSeconds)
      throws Exception {
    Appender app = storage.appender();
    Labels job = Labels.of("__name__", "u", "job", "short");
    Labels other = Labels.of("__name__", "u", "job", "long");
    for (int i = 0; i < longSeconds; i++) {
      long t = S + i * 1000L + 500;
      if (i >= shortFrom && i < shortFrom + shortSeconds) {
        app.append(app.ref(job), t, 1); // refs again each time: a checkpoint may renumber them
      }
      app.append(app.ref(other), t, 1);
      if (i % 600 == 599) {
        storage.checkpoint(Map.of());
      }
    }
  }

  /** The short job's sample count per window of {@code tier}, over [S, end]. */
  private static List<Double> shortJobWindows(Storage storage, Resolution tier, long end) {
    return shortJobWindows(storage, tier, S, end);
  }

  /** The short job's sample count per window of {@code tier}, over [start, end]. */
  private static List<Double> shortJobWindows(Storage storage, Resolution tier, long start, long end) {
    List<StoredSeries> selected = new StorageQueryable(storage.querier()).select(hints(start, end,
        tier.millis() * 5, tier.millis(), "count_over_time", tier.millis()), List.of(LabelMatcher.equal("job",
        "short")));
    List<Double> counts = new ArrayList<>();
    for (StoredSeries s : selected) {
      assertThat(s.aggregates().resolutionMillis()).isEqualTo(tier.millis());
      for (int i = 0; i < s.size(); i++) {
        counts.add(s.aggregates().count(i));
      }
    }
    return counts;
  }

  /**
   * The hour tier's newest windows come from raw samples (up to two hours of them per series when the tier lags):
   * what the query holds is those few windows, not a slot per raw sample.
   */
  @Test
  void aTierTailHoldsItsWindowsNotASlotPerRawSample() throws Exception {
    try (Storage storage = Storage.open(dir, config().build())) {
      new Data().feed(storage);
      long end = S + SECONDS * 1000L;
      List<StoredSeries> selected = new StorageQueryable(storage.querier()).select(hints(S, end, 3_600_000,
          3_600_000, "max_over_time", 3_600_000), metric("g"));
      StorageQueryable.TierStored hourly = (StorageQueryable.TierStored) selected.get(0);
      assertThat(hourly.tailCapacity()).isBetween(1, 3);
    }
  }

  /**
   * A tier selection's raw tail starts after each series' own last window: one series' start does not make the
   * others decode from there.
   */
  @Test
  void rawSelectedFromEachSeriesOwnStartHoldsOnlyWhatFollowsIt() throws Exception {
    try (Storage storage = Storage.open(dir, config().build())) {
      new Data().feed(storage);
      var q = storage.querier();
      long end = S + SECONDS * 1000L;
      long late = S + 3_000_000;
      List<io.acceltel.aggregator.storage.RawSeries> all = q.selectRaw(metric("g"), S, end);
      assertThat(all).isNotEmpty();
      io.acceltel.model.series.Labels first = all.get(0).labels();
      var own = q.selectRawFrom(metric("g"), S, end, labels -> labels.equals(first) ? late : S,
          io.acceltel.aggregator.storage.DecodeBudget.UNLIMITED);
      assertThat(own).hasSameSizeAs(all);
      assertThat(own).noneMatch(io.acceltel.aggregator.storage.RawSeries::holdsDecodedSamples);
      for (var series : own) {
        long from = series.labels().equals(first) ? late : S;
        assertThat(java.util.Arrays.stream(series.timestamps()).min().orElse(Long.MAX_VALUE))
            .isGreaterThanOrEqualTo(from);
        long expected = java.util.Arrays.stream(all.stream().filter(a -> a.labels().equals(series.labels()))
            .findFirst().orElseThrow().timestamps()).filter(t -> t >= from).count();
        assertThat(series.timestamps()).hasSize((int) expected);
      }
    }
  }

  @Test
  void limitsAndCancellationStopTheSelection() throws Exception {
    try (Storage storage = Storage.open(dir, config().build())) {
      new Data().feed(storage);
      var q = storage.querier();
      SelectHints h = hints(S, S + 3_600_000, 0, 0, "", 0);
      assertThatThrownBy(() -> new StorageQueryable(q, new QueryBudget(1000, 10, () -> false)).select(h,
          metric("g"))).isInstanceOfSatisfying(QueryException.class,
              e -> assertThat(e.type()).isEqualTo(QueryException.Type.EXECUTION));
      assertThatThrownBy(() -> new StorageQueryable(q, new QueryBudget(Long.MAX_VALUE, 1, () -> false)).select(h,
          List.of(LabelMatcher.equal("gpu", "0")))).isInstanceOfSatisfying(QueryException.class,
              e -> assertThat(e.getMessage()).contains("selects 2 series, more than the limit of 1"));
      assertThatThrownBy(() -> new StorageQueryable(q, new QueryBudget(Long.MAX_VALUE, 10, () -> true)).select(h,
          metric("g"))).isInstanceOfSatisfying(QueryException.class,
              e -> assertThat(e.type()).isEqualTo(QueryException.Type.CANCELED));
      StorageQueryable ok = new StorageQueryable(q, new QueryBudget(3601, 10, () -> false));
      assertThat(ok.select(h, metric("g")).get(0).size()).isEqualTo(3600);
      assertThat(ok.samplesRead()).isEqualTo(3600);

      // Read every minute, the selection keeps 61 of its 3,600 samples: that is what counts against the limit, so
      // the check made before decoding must not refuse it on the chunks' sample counts.
      SelectHints everyMinute = new SelectHints(S, S + 3_600_000, 60_000, 0, "", List.of(), 0, S, 60_000);
      StorageQueryable thinned = new StorageQueryable(q, new QueryBudget(100, 10, () -> false));
      assertThat(thinned.select(everyMinute, metric("g")).get(0).size()).isLessThanOrEqualTo(100);
    }
  }

  /**
   * Decoding skips the series left when the query is canceled meanwhile: the selection must fail as canceled, not
   * come back short, or the result cache keeps an answer with series missing.
   */
  @Test
  void aSelectionCanceledWhileDecodingFailsRatherThanComeBackShort() throws Exception {
    try (Storage storage = Storage.open(dir, config().build())) {
      new Data().feed(storage);
      // Canceled exactly as the series decode (the client went away, or the deadline passed, just then), and from
      // then on, as a cancellation is.
      java.util.concurrent.atomic.AtomicBoolean canceled = new java.util.concurrent.atomic.AtomicBoolean();
      QueryBudget canceledWhileDecoding = new QueryBudget(Long.MAX_VALUE, 10, () -> canceled.get()
          || StackWalker.getInstance().walk(frames -> frames.anyMatch(f -> f.getMethodName()
              .startsWith("lambda$decodeEach"))) && !canceled.getAndSet(true));
      for (long msr : new long[] {0, 60_000}) {
        canceled.set(false);
        assertThatThrownBy(() -> new StorageQueryable(storage.querier(), canceledWhileDecoding).select(
            hints(S, S + 3_600_000, 60_000, 0, "", msr), metric("g")))
            .isInstanceOfSatisfying(QueryException.class,
                e -> assertThat(e.type()).isEqualTo(QueryException.Type.CANCELED));
      }
    }
  }

  /** A cut makes tier windows readable that were not (a stopped series' last one): cached answers are void. */
  @Test
  void aCheckpointThatCutsMovesTheChangeGeneration() throws Exception {
    try (Storage storage = Storage.open(dir, config().build())) {
      Appender app = storage.appender();
      Labels g = Labels.of("__name__", "g", "gpu", "0");
      for (int i = 0; i < 30 * 60; i++) {
        app.append(app.ref(g), S + i * 1000L + 500, 1);
      }
      long generation = storage.changes().settle(S + 3_600_000);
      storage.checkpoint(Map.of()); // cuts the first raw blocks
      assertThat(storage.changes().generation()).isGreaterThan(generation);
      long after = storage.changes().generation();
      storage.checkpoint(Map.of("t/0", 1L)); // nothing to cut
      assertThat(storage.changes().generation()).isEqualTo(after);
    }
  }

  private static double[] values(StoredSeries s) {
    double[] v = new double[s.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = s.value(i);
    }
    return v;
  }

  /** As Prometheus's max_over_time: NaN only when every value is NaN. */
  private static double max(double[] v) {
    double m = Double.NaN;
    for (double x : v) {
      if (Double.isNaN(m) || x > m) {
        m = x;
      }
    }
    return m;
  }

  private static double min(double[] v) {
    double m = Double.NaN;
    for (double x : v) {
      if (Double.isNaN(m) || x < m) {
        m = x;
      }
    }
    return m;
  }

  private static double sum(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s;
  }
}
