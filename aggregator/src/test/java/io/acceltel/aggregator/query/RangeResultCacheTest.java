package io.acceltel.aggregator.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.aggregator.query.RangeResultCache.Key;
import io.acceltel.aggregator.query.RangeResultCache.Part;
import io.acceltel.aggregator.query.RangeResultCache.Settings;
import io.acceltel.aggregator.storage.ChangeTracker;
import io.acceltel.model.series.Labels;
import io.acceltel.promql.value.Matrix;
import io.acceltel.promql.value.Series;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The range-result cache against a stand-in evaluation whose answer at each step is a function of the step alone
 * (series with gaps, one that starts late): what it asks to evaluate, and that its answers are the whole evaluation's.
 */
class RangeResultCacheTest {
  private static final long T = 1_795_000_000_000L - 1_795_000_000_000L % 3_600_000L;
  private static final long STEP = 15_000;
  private static final long HOUR = 3_600_000;

  private final AtomicLong now = new AtomicLong(T + 2 * HOUR);
  private final ChangeTracker changes = new ChangeTracker();
  private final List<long[]> asked = new ArrayList<>();
  private RangeResultCache cache;

  @BeforeEach
  void setUp() {
    cache = new RangeResultCache(new Settings(64L << 20, Duration.ofMinutes(5)), changes, now::get,
        new PrometheusRegistry());
  }

  /** Five series, each missing every seventh step (at different steps); a sixth only from T + 40m on. */
  private static Matrix answer(long from, long to) {
    List<Series> out = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      long[] t = new long[(int) ((to - from) / STEP) + 1];
      double[] v = new double[t.length];
      int n = 0;
      for (long x = from; x <= to; x += STEP) {
        boolean present = i < 5 ? (x / STEP + i) % 7 != 0 : x >= T + 40 * 60_000;
        if (present) {
          t[n] = x;
          v[n++] = i * 1e6 + x / 1000.0;
        }
      }
      if (n > 0) {
        out.add(new Series(Labels.of("__name__", "m", "i", Integer.toString(i)), Arrays.copyOf(t, n),
            Arrays.copyOf(v, n)));
      }
    }
    return new Matrix(out);
  }

  private RangeResultCache.Evaluation recording(long coarsest, boolean stepLocal, List<String> warnings) {
    return (from, to) -> {
      asked.add(new long[] {from, to});
      return new Part(answer(from, to), warnings, stepLocal, coarsest);
    };
  }

  private Part query(long start, long end) {
    return query(start, end, recording(0, true, List.of()));
  }

  private Part query(long start, long end, RangeResultCache.Evaluation evaluation) {
    return cache.query(Key.of("m", start, STEP, 300_000, -1), start, end, evaluation);
  }

  private static void assertSameAnswer(Part actual, long start, long end) {
    List<Series> expected = answer(start, end).series();
    assertThat(actual.matrix().series()).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      Series a = actual.matrix().series().get(i);
      Series e = expected.get(i);
      assertThat(a.labels()).isEqualTo(e.labels());
      assertThat(a.timestamps()).containsExactly(e.timestamps());
      assertThat(a.values()).containsExactly(e.values());
    }
  }

  @Test
  void aRefreshEvaluatesOnlyTheNewSteps() {
    assertSameAnswer(query(T, T + HOUR), T, T + HOUR);
    assertThat(asked).containsExactly(new long[] {T, T + HOUR});

    asked.clear();
    now.addAndGet(30_000);
    Part refreshed = query(T + 30_000, T + HOUR + 30_000);
    assertSameAnswer(refreshed, T + 30_000, T + HOUR + 30_000);
    assertThat(asked).containsExactly(new long[] {T + HOUR + STEP, T + HOUR + 30_000});

    asked.clear();
    assertSameAnswer(query(T + 30_000, T + HOUR + 30_000), T + 30_000, T + HOUR + 30_000);
    assertThat(asked).isEmpty();
  }

  @Test
  void stepsBeforeTheKeptOnesAreEvaluatedToo() {
    query(T + 10 * 60_000, T + HOUR);
    asked.clear();
    assertSameAnswer(query(T, T + HOUR), T, T + HOUR);
    assertThat(asked).containsExactly(new long[] {T, T + 10 * 60_000 - STEP});
  }

  @Test
  void anEndOffTheStepGridIsKeptUpToTheLastStepBeforeIt() {
    query(T, T + HOUR + 7_000);
    asked.clear();
    assertSameAnswer(query(T + 30_000, T + HOUR + 37_000), T + 30_000, T + HOUR + 37_000);
    assertThat(asked).containsExactly(new long[] {T + HOUR + STEP, T + HOUR + 37_000});
  }

  @Test
  void recentStepsAreNeverKept() {
    now.set(T + HOUR + 1);
    query(T, T + HOUR);
    asked.clear();
    query(T, T + HOUR);
    // Everything before now - 5m was kept; the steps from there on are evaluated again.
    assertThat(asked).containsExactly(new long[] {T + 55 * 60_000 + STEP, T + HOUR});
  }

  @Test
  void anAnswerReadFromATierKeepsOnlyStepsBeforeTheTiersCurrentWindow() {
    now.set(T + HOUR + 50 * 60_000);
    query(T, T + 2 * HOUR, recording(HOUR, true, List.of()));
    asked.clear();
    query(T, T + 2 * HOUR, recording(HOUR, true, List.of()));
    assertThat(asked).containsExactly(new long[] {T + HOUR, T + 2 * HOUR});
  }

  @Test
  void aSampleAppendedIntoSettledTimeVoidsWhatWasKept() {
    query(T, T + HOUR);
    changes.appended(now.get() - 1_000); // on time: nothing kept can have read it
    asked.clear();
    query(T, T + HOUR);
    assertThat(asked).isEmpty();

    changes.appended(T + 10 * 60_000); // a backfill under the kept steps
    query(T, T + HOUR);
    assertThat(asked).containsExactly(new long[] {T, T + HOUR});
  }

  @Test
  void retentionDeletingDataVoidsWhatWasKept() {
    query(T, T + HOUR);
    changes.deleted();
    asked.clear();
    query(T, T + HOUR);
    assertThat(asked).containsExactly(new long[] {T, T + HOUR});
  }

  @Test
  void aPartThatDependsOnTheWholeRangeMakesTheRequestEvaluateWhole() {
    query(T, T + HOUR);
    asked.clear();
    now.addAndGet(HOUR);
    Part whole = query(T + HOUR, T + 2 * HOUR, recording(0, false, List.of()));
    assertSameAnswer(whole, T + HOUR, T + 2 * HOUR);
    assertThat(asked).containsExactly(new long[] {T + HOUR + STEP, T + 2 * HOUR}, new long[] {T + HOUR, T + 2 * HOUR});
    asked.clear();
    query(T + HOUR, T + 2 * HOUR);
    assertThat(asked).as("nothing of it was kept").containsExactly(new long[] {T + HOUR + STEP, T + 2 * HOUR});
  }

  @Test
  void answersWithWarningsAreNotKept() {
    Part warned = query(T, T + HOUR, recording(0, true, List.of("something to know")));
    assertThat(warned.warnings()).containsExactly("something to know");
    asked.clear();
    query(T, T + HOUR);
    assertThat(asked).containsExactly(new long[] {T, T + HOUR});
  }

  @Test
  void differentStepsLookbacksAndAlignmentsAreKeptApart() {
    query(T, T + HOUR);
    asked.clear();
    cache.query(Key.of("m", T + 1_000, STEP, 300_000, -1), T + 1_000, T + HOUR + 1_000, recording(0, true,
        List.of()));
    cache.query(Key.of("m", T, STEP, 60_000, -1), T, T + HOUR, recording(0, true, List.of()));
    cache.query(Key.of("m", T, STEP, 300_000, 0), T, T + HOUR, recording(0, true, List.of()));
    cache.query(Key.of("n", T, STEP, 300_000, -1), T, T + HOUR, recording(0, true, List.of()));
    assertThat(asked).hasSize(4);
  }

  @Test
  void staysWithinItsMemoryEvictingTheLeastRecentlyUsed() {
    long budget = 1L << 20; // about 50 of these answers
    cache = new RangeResultCache(new Settings(budget, Duration.ofMinutes(5)), changes, now::get,
        new PrometheusRegistry());
    for (int q = 0; q < 100; q++) {
      cache.query(Key.of("q" + q, T, STEP, 300_000, -1), T, T + HOUR, recording(0, true, List.of()));
      assertThat(cache.sizeBytes()).isPositive().isLessThanOrEqualTo(budget);
    }
    asked.clear();
    cache.query(Key.of("q99", T, STEP, 300_000, -1), T, T + HOUR, recording(0, true, List.of()));
    cache.query(Key.of("q0", T, STEP, 300_000, -1), T, T + HOUR, recording(0, true, List.of()));
    assertThat(asked).as("the newest is kept, the oldest evicted").containsExactly(new long[] {T, T + HOUR});
  }

  @Test
  void keptAnswersOnlyARangeThatIsAllKeptAndSmallEnough() {
    Key key = Key.of("m", T, STEP, 300_000, -1);
    assertThat(cache.kept(key, T, T + HOUR, 10_000)).isNull();
    query(T, T + HOUR);
    Part whole = cache.kept(key, T + 30_000, T + HOUR - 30_000, 10_000);
    assertThat(whole).isNotNull();
    assertSameAnswer(whole, T + 30_000, T + HOUR - 30_000);
    assertThat(cache.kept(key, T - STEP, T + HOUR, 10_000)).as("a step before the kept ones").isNull();
    assertThat(cache.kept(key, T, T + HOUR + STEP, 10_000)).as("a step after them").isNull();
    assertThat(cache.kept(key, T, T + HOUR, 100)).as("more points than asked for").isNull();
    changes.deleted();
    assertThat(cache.kept(key, T, T + HOUR, 10_000)).as("voided").isNull();
    assertThat(asked).hasSize(1);
  }

  /**
   * Queries made unique by a long comment each keep their text as the key: it counts towards the memory bound, so
   * they cannot fill the heap with small answers under large keys. A long query (a Grafana variable of a thousand
   * values) is kept all the same.
   */
  @Test
  void theQueryTextCountsTowardsTheBound() {
    long budget = 1L << 20;
    cache = new RangeResultCache(new Settings(budget, Duration.ofMinutes(5)), changes, now::get,
        new PrometheusRegistry());
    RangeResultCache.Evaluation empty = (from, to) -> {
      asked.add(new long[] {from, to});
      return new Part(new Matrix(List.of()), List.of(), true, 0);
    };
    String comment = "x".repeat(40_000);
    cache.query(Key.of("no_such_metric # 0 " + comment, T, STEP, 300_000, -1), T, T + HOUR, empty);
    assertThat(cache.sizeBytes()).as("kept, key counted").isGreaterThan(2 * 40_000);
    for (int i = 1; i < 100; i++) {
      cache.query(Key.of("no_such_metric # " + i + " " + comment, T, STEP, 300_000, -1), T, T + HOUR, empty);
      assertThat(cache.sizeBytes()).isLessThanOrEqualTo(budget);
    }
  }

  @Test
  void turnedOffItKeepsNothing() {
    cache = new RangeResultCache(Settings.OFF, changes, now::get, new PrometheusRegistry());
    query(T, T + HOUR);
    query(T, T + HOUR);
    assertThat(asked).hasSize(2);
    assertThat(cache.sizeBytes()).isZero();
  }
}
