package io.acceltel.aggregator.api;

import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.series.Labels;
import io.acceltel.promql.engine.QueryEngine;
import io.acceltel.promql.engine.QueryException;
import io.acceltel.promql.engine.QueryOptions;
import io.acceltel.promql.engine.QueryResult;
import io.acceltel.promql.storage.Queryable;
import io.acceltel.promql.storage.SelectHints;
import io.acceltel.promql.storage.StoredSeries;
import io.acceltel.promql.value.Matrix;
import io.acceltel.promql.value.Sample;
import io.acceltel.promql.value.Scalar;
import io.acceltel.promql.value.Series;
import io.acceltel.promql.value.StringValue;
import io.acceltel.promql.value.Vector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A test double of the PromQL engine for testing the HTTP layer alone: it answers a handful of fixed "queries" with
 * fixed values (special floats, strings, warnings, errors), a "slow" query that runs until it is canceled or times
 * out, and {@code select:<metric>}, which reads the metric through the real {@link Queryable} (so storage limits
 * apply). It is not PromQL; queries that need PromQL run against the real engine in other tests.
 */
final class ScriptedEngine implements QueryEngine {
  static final long SPECIAL_T = 1_435_781_451_781L;
  final AtomicInteger canceledSeen = new AtomicInteger();
  final AtomicInteger timedOut = new AtomicInteger();
  final AtomicInteger running = new AtomicInteger();
  volatile QueryOptions lastOptions;

  @Override
  public QueryResult instant(Queryable data, String query, long timeMillis, QueryOptions options,
      BooleanSupplier canceled) {
    return answer(data, query, timeMillis, timeMillis, 0, options, canceled);
  }

  @Override
  public QueryResult range(Queryable data, String query, long startMillis, long endMillis, long stepMillis,
      QueryOptions options, BooleanSupplier canceled) {
    return answer(data, query, startMillis, endMillis, stepMillis, options, canceled);
  }

  private QueryResult answer(Queryable data, String query, long start, long end, long step, QueryOptions options,
      BooleanSupplier canceled) {
    lastOptions = options;
    if (query.startsWith("select:")) {
      return select(data, query.substring(7), start, end, step, options);
    }
    switch (query) {
      case "1+1":
        if (step > 0) {
          return range(start, end, step, 2);
        }
        return new QueryResult(new Scalar(start, 2), List.of());
      case "specials":
        return new QueryResult(new Vector(List.of(
            new Sample(Labels.of("__name__", "m", "v", "nan"), SPECIAL_T, Double.NaN),
            new Sample(Labels.of("__name__", "m", "v", "inf"), SPECIAL_T, Double.POSITIVE_INFINITY),
            new Sample(Labels.of("__name__", "m", "v", "-inf"), SPECIAL_T, Double.NEGATIVE_INFINITY),
            new Sample(Labels.of("__name__", "m", "v", "tiny"), 1_435_781_460_000L, 1e-7),
            new Sample(Labels.of("__name__", "m", "v", "sum"), 5, 0.1 + 0.2),
            new Sample(Labels.of("v", "huge"), 1500, 1.5e21))), List.of());
      case "string":
        return new QueryResult(new StringValue(start, "a \"quoted\" <b>&\n"), List.of());
      case "warn":
        return new QueryResult(new Vector(List.of()), List.of("something to know"));
      case "bad":
        throw new QueryException(QueryException.Type.BAD_DATA, "1:5: parse error: unexpected identifier \"x\"");
      case "exec":
        throw new QueryException(QueryException.Type.EXECUTION, "found duplicate series for the match group");
      case "boom":
        throw new IllegalStateException("engine bug");
      case "slow":
        return slow(options, canceled);
      case "many":
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          samples.add(new Sample(Labels.of("i", Integer.toString(i)), start, i));
        }
        return new QueryResult(new Vector(samples), List.of());
      default:
        throw new QueryException(QueryException.Type.BAD_DATA, "1:1: parse error: the scripted engine does not know "
            + query);
    }
  }

  private static QueryResult range(long start, long end, long step, double v) {
    int n = (int) ((end - start) / step) + 1;
    long[] t = new long[n];
    double[] vs = new double[n];
    for (int i = 0; i < n; i++) {
      t[i] = start + i * step;
      vs[i] = v;
    }
    return new QueryResult(new Matrix(List.of(new Series(Labels.EMPTY, t, vs))), List.of());
  }

  /** Busy work until canceled or past the timeout, checking both as the real engine does between steps. */
  private QueryResult slow(QueryOptions options, BooleanSupplier canceled) {
    running.incrementAndGet();
    try {
      long deadline = System.nanoTime() + options.timeout().toNanos();
      while (true) {
        if (canceled.getAsBoolean()) {
          canceledSeen.incrementAndGet();
          throw new QueryException(QueryException.Type.CANCELED, "query was canceled in expression evaluation");
        }
        if (System.nanoTime() - deadline >= 0) {
          timedOut.incrementAndGet();
          throw new QueryException(QueryException.Type.TIMEOUT, "query timed out in expression evaluation");
        }
        LockSupport.parkNanos(1_000_000);
      }
    } finally {
      running.decrementAndGet();
    }
  }

  private static QueryResult select(Queryable data, String metric, long start, long end, long step,
      QueryOptions options) {
    long lookback = options.lookbackDelta().toMillis();
    List<StoredSeries> series = data.select(new SelectHints(start - lookback, end, step, 0, "", List.of(),
        options.maxSourceResolutionMillis()), List.of(LabelMatcher.equal("__name__", metric)));
    if (step == 0) {
      List<Sample> out = new ArrayList<>();
      for (StoredSeries s : series) {
        for (int i = s.size() - 1; i >= 0; i--) {
          if (s.timestamp(i) <= end) {
            out.add(new Sample(s.labels(), end, s.value(i)));
            break;
          }
        }
      }
      return new QueryResult(new Vector(out), List.of());
    }
    List<Series> out = new ArrayList<>();
    for (StoredSeries s : series) {
      long[] t = new long[s.size()];
      double[] v = new double[s.size()];
      int n = 0;
      for (int i = 0; i < s.size(); i++) {
        if (s.timestamp(i) >= start && s.timestamp(i) <= end) {
          t[n] = s.timestamp(i);
          v[n++] = s.value(i);
        }
      }
      out.add(new Series(s.labels(), Arrays.copyOf(t, n), Arrays.copyOf(v, n)));
    }
    return new QueryResult(new Matrix(out), List.of());
  }
}
