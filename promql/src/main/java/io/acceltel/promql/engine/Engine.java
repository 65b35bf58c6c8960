package io.acceltel.promql.engine;

import io.acceltel.promql.parser.Expr;
import io.acceltel.promql.parser.ParenExpr;
import io.acceltel.promql.parser.ParseException;
import io.acceltel.promql.parser.Parser;
import io.acceltel.promql.parser.ValueType;
import io.acceltel.promql.parser.VectorSelector;
import io.acceltel.promql.storage.Queryable;
import io.acceltel.promql.value.Matrix;
import io.acceltel.promql.value.Sample;
import io.acceltel.promql.value.Scalar;
import io.acceltel.promql.value.Series;
import io.acceltel.promql.value.StringValue;
import io.acceltel.promql.value.Value;
import io.acceltel.promql.value.Vector;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The PromQL engine: parses, then evaluates step by step over a {@link Queryable}, with Prometheus 2.42 semantics.
 * Stateless and thread-safe; one instance serves every query.
 *
 * <pre>{@code
 * QueryEngine engine = new Engine();
 * QueryResult r = engine.range(store, "rate(gpu_energy_joules_total[5m])", start, end, 15_000,
 *     QueryOptions.DEFAULT, () -> false);
 * }</pre>
 */
public final class Engine implements QueryEngine {
  private final EngineConfig config;

  public Engine() {
    this(EngineConfig.DEFAULT);
  }

  public Engine(EngineConfig config) {
    this.config = config;
  }

  /** Parses a query as the engine would, for callers that only validate; bad_data QueryException on error. */
  public static Expr parse(String query) {
    try {
      return Parser.parse(query);
    } catch (ParseException e) {
      throw e.toQueryException(query);
    }
  }

  @Override
  public QueryResult instant(Queryable data, String query, long timeMillis, QueryOptions options,
      BooleanSupplier canceled) {
    Expr expr = parse(query);
    EvalContext ctx = context(data, expr, timeMillis, timeMillis, 0, options, canceled);
    Evaluator ev = new Evaluator(ctx, timeMillis, timeMillis, 1);
    Value value = guard(() -> instantValue(ev, expr, timeMillis));
    return new QueryResult(value, ctx.warnings);
  }

  @Override
  public QueryResult range(Queryable data, String query, long startMillis, long endMillis, long stepMillis,
      QueryOptions options, BooleanSupplier canceled) {
    Expr expr = parse(query);
    if (expr.type() != ValueType.SCALAR && expr.type() != ValueType.VECTOR) {
      throw new QueryException(QueryException.Type.BAD_DATA, "invalid expression type \""
          + expr.type().documented() + "\" for range query, must be Scalar or instant Vector");
    }
    if (stepMillis <= 0) {
      throw new QueryException(QueryException.Type.BAD_DATA,
          "zero or negative query resolution step widths are not accepted. Try a positive integer");
    }
    if (endMillis < startMillis) {
      throw new QueryException(QueryException.Type.BAD_DATA, "end timestamp must not be before start time");
    }
    EvalContext ctx = context(data, expr, startMillis, endMillis, stepMillis, options, canceled);
    Evaluator ev = new Evaluator(ctx, startMillis, endMillis, stepMillis);
    List<Series> series = guard(() -> new ArrayList<>(ev.evalSeries(expr)));
    series.sort(Comparator.comparing(Series::labels));
    return new QueryResult(new Matrix(series), ctx.warnings);
  }

  private EvalContext context(Queryable data, Expr expr, long start, long end, long step, QueryOptions options,
      BooleanSupplier canceled) {
    long timeoutNanos = options.timeout() == null ? 0 : options.timeout().toNanos();
    Limits limits = new Limits(options.maxSamples() <= 0 ? Long.MAX_VALUE : options.maxSamples(), timeoutNanos,
        canceled);
    limits.pollNow();
    long lookback = options.lookbackDelta() == null || options.lookbackDelta().isZero()
        ? config.defaultLookback().toMillis() : options.lookbackDelta().toMillis();
    return new EvalContext(data, start, end, step, lookback, config.defaultSubqueryStep().toMillis(),
        options.maxSourceResolutionMillis(), limits, expr);
  }

  private static Value instantValue(Evaluator ev, Expr expr, long ts) {
    ev.setRoot(expr);
    StepValue v = ev.eval(expr, ts);
    if (v instanceof StepValue.Num n) {
      return new Scalar(ts, n.value());
    }
    if (v instanceof StepValue.Str s) {
      return new StringValue(ts, s.value());
    }
    if (v instanceof StepValue.Vec vec) {
      List<Sample> out = new ArrayList<>(vec.samples().size());
      for (Sample s : vec.samples()) {
        out.add(s.timestampMillis() == ts ? s : new Sample(s.labels(), ts, s.value()));
      }
      if (!(ParenExpr.unwrap(expr) instanceof VectorSelector)) {
        ev.ctx.limits.retain(out.size()); // a bare selector's samples were counted when selected
      }
      return new Vector(out);
    }
    // A range selector or subquery: its points keep their own timestamps.
    StepValue.Ranges r = (StepValue.Ranges) v;
    List<Series> series = new ArrayList<>(r.windows().size());
    for (RangeWindow w : r.windows()) {
      long[] t = new long[w.size()];
      double[] vs = new double[w.size()];
      for (int i = 0; i < t.length; i++) {
        t[i] = w.t(i);
        vs[i] = w.v(i);
      }
      series.add(new Series(w.labels(), t, vs));
    }
    series.sort(Comparator.comparing(Series::labels));
    return new Matrix(series);
  }

  /** Runs evaluation, turning unexpected failures into internal errors that name the cause. */
  private static <T> T guard(java.util.function.Supplier<T> body) {
    try {
      return body.get();
    } catch (QueryException e) {
      throw e;
    } catch (StackOverflowError e) {
      throw new QueryException(QueryException.Type.EXECUTION, "query is too deeply nested");
    } catch (RuntimeException e) {
      throw new QueryException(QueryException.Type.INTERNAL, "unexpected error: " + e);
    }
  }
}
