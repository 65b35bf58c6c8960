package io.acceltel.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.model.series.Labels;
import io.acceltel.promql.promqltest.MemoryQueryable;
import io.acceltel.promql.storage.ArraySeries;
import io.acceltel.promql.storage.Queryable;
import io.acceltel.promql.storage.StoredSeries;
import io.acceltel.promql.value.Matrix;
import io.acceltel.promql.value.Sample;
import io.acceltel.promql.value.Series;
import io.acceltel.promql.value.Vector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A range query must equal instant queries at each of its steps. Range evaluation takes shortcuts the instant path
 * does not (points of every step found in one pass per series, window functions evaluated series by series, stored
 * arrays used without a copy), so this compares the two bit for bit over irregular data with gaps, staleness
 * markers and counter resets, read both as copied and as adopted arrays; with 300 series the range path fills its
 * step tables in parallel.
 */
class RangeMatchesInstantTest {
  private static final double STALE = Double.longBitsToDouble(0x7ff0000000000002L);
  private static final String[] QUERIES = {
      "x", "x offset 37s", "x @ 500", "-x", "rate(x[1m])", "increase(x[45s] offset 10s)", "delta(x[1m])",
      "max_over_time(x[2m])", "min_over_time(x[20s])", "avg_over_time(x[1m])", "last_over_time(x[1m])",
      "count_over_time(x[30s])", "changes(x[5m])", "resets(x[3m])", "rate(x[1m] @ 900)",
      "sum by (k) (rate(x[1m]))", "topk(2, x)", "x > 50", "rate(x[10s])", "deriv(x[1m])",
      // aggregations that read their argument's step table in place
      "avg by (k) (x)", "min without (s) (x)", "max((x))", "count by (k) (x offset 37s)", "sum(x @ 500)",
      "stddev by (k) (rate(x[1m]))", "stdvar(max_over_time(x[2m]))", "group by (k) (x)",
      "sum by (k) (sum without (s) (x))"};

  private final Engine engine = new Engine();

  @ParameterizedTest(name = "adopted={0} series={1}")
  @CsvSource({"false, 6", "true, 6", "false, 300", "true, 300"})
  void rangeQueriesEqualInstantQueriesAtEveryStep(boolean adoptedArrays, int seriesCount) {
    MemoryQueryable memory = new MemoryQueryable();
    Random random = new Random(11);
    for (int s = 0; s < seriesCount; s++) {
      Labels labels = Labels.of("__name__", "x", "k", Integer.toString(s % 2), "s", Integer.toString(s));
      long t = 1_000L * random.nextInt(5); // whole seconds: samples often sit exactly on window edges
      double v = 0;
      while (t < 1_500_000) {
        int roll = random.nextInt(100);
        if (roll < 3) {
          memory.add(labels, t, STALE);
        } else {
          v = roll < 8 ? random.nextInt(20) : v + random.nextInt(30); // a counter with occasional resets
          memory.add(labels, t, v);
        }
        // Mostly 1 to 15 s apart, sometimes a gap longer than the 5 m lookback.
        t += random.nextInt(100) < 2 ? 400_000 : 1_000L * (1 + random.nextInt(14));
      }
    }
    Queryable data = adoptedArrays ? asArrays(memory) : memory;
    for (String q : QUERIES) {
      long start = 60_000;
      long end = 1_400_000;
      long step = 15_000;
      Matrix range = (Matrix) engine.range(data, q, start, end, step, QueryOptions.DEFAULT, () -> false).value();
      Map<Labels, Map<Long, Double>> fromRange = new HashMap<>();
      for (Series series : range.series()) {
        for (int i = 0; i < series.timestamps().length; i++) {
          fromRange.computeIfAbsent(series.labels(), k -> new HashMap<>()).put(series.timestamps()[i],
              series.values()[i]);
        }
      }
      Map<Labels, Map<Long, Double>> fromInstants = new HashMap<>();
      for (long t = start; t <= end; t += step) {
        Vector v = (Vector) engine.instant(data, q, t, QueryOptions.DEFAULT, () -> false).value();
        for (Sample sample : v.samples()) {
          fromInstants.computeIfAbsent(sample.labels(), k -> new HashMap<>()).put(t, sample.value());
        }
      }
      assertThat(fromRange).as(q).isNotEmpty();
      assertThat(fromRange.keySet()).as(q).isEqualTo(fromInstants.keySet());
      for (Labels l : fromRange.keySet()) {
        Map<Long, Double> r = fromRange.get(l);
        Map<Long, Double> i = fromInstants.get(l);
        assertThat(r.keySet()).as("%s %s steps", q, l).isEqualTo(i.keySet());
        for (Long t : r.keySet()) {
          assertThat(Double.doubleToLongBits(r.get(t))).as("%s %s at %d: %s vs %s", q, l, t, r.get(t), i.get(t))
              .isEqualTo(Double.doubleToLongBits(i.get(t)));
        }
      }
    }
  }

  /** The same data handed over as {@link ArraySeries}, which the engine uses without copying when it can. */
  private static Queryable asArrays(MemoryQueryable memory) {
    return (hints, matchers) -> {
      List<StoredSeries> out = new ArrayList<>();
      for (StoredSeries s : memory.select(hints, matchers)) {
        long[] ts = new long[s.size()];
        double[] vs = new double[s.size()];
        int n = 0;
        for (int i = 0; i < s.size(); i++) {
          if (s.timestamp(i) >= hints.start() && s.timestamp(i) <= hints.end()) {
            ts[n] = s.timestamp(i);
            vs[n++] = s.value(i);
          }
        }
        out.add(new ArraySeries(s.labels(), java.util.Arrays.copyOf(ts, n), java.util.Arrays.copyOf(vs, n)));
      }
      return out;
    };
  }
}
