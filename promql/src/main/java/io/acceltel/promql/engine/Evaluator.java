package io.acceltel.promql.engine;

import io.acceltel.model.series.Labels;
import io.acceltel.promql.functions.FunctionTable;
import io.acceltel.promql.functions.WindowFunction;
import io.acceltel.promql.parser.AggregateExpr;
import io.acceltel.promql.parser.BinaryExpr;
import io.acceltel.promql.parser.Call;
import io.acceltel.promql.parser.Expr;
import io.acceltel.promql.parser.MatrixSelector;
import io.acceltel.promql.parser.NumberLiteral;
import io.acceltel.promql.parser.ParenExpr;
import io.acceltel.promql.parser.StringLiteral;
import io.acceltel.promql.parser.SubqueryExpr;
import io.acceltel.promql.parser.UnaryExpr;
import io.acceltel.promql.parser.VectorSelector;
import io.acceltel.promql.value.Sample;
import io.acceltel.promql.value.Series;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Evaluates an expression step by step over one time range ({@code start..end} every {@code interval}): the query's
 * own range, or a subquery's. Selected data and subquery results are fetched once per evaluator and then searched
 * at each step, so a range query costs one pass of binary searches per step, not a rescan.
 *
 * <p>Each concern lives in its own class: {@link Selectors}, {@link BinaryOps}, {@link Aggregations},
 * {@link Subqueries} and the function table.
 */
final class Evaluator {
  final EvalContext ctx;
  final long start;
  final long end;
  final long interval;
  final Selectors selectors;
  final Subqueries subqueries;
  /** The selector whose points are this evaluator's result as they are, or null (see {@link #setRoot}). */
  private VectorSelector rootSelector;
  /** Label transformations memoised per purpose and syntax node, for the life of this evaluator. */
  private final Map<String, Map<Object, LabelMemo>> memos = new HashMap<>();
  /** Per aggregation node (by identity), its groups' dense numbering; see {@link GroupIndex}. */
  private final Map<Object, GroupIndex> groupIndexes = new IdentityHashMap<>();

  Evaluator(EvalContext ctx, long start, long end, long interval) {
    this.ctx = ctx;
    this.start = start;
    this.end = end;
    this.interval = interval;
    this.selectors = new Selectors(this);
    this.subqueries = new Subqueries(this);
  }

  /**
   * Records what this evaluator evaluates, for sample accounting: when it is a bare selector, the selector's points
   * are the result and are not counted twice.
   */
  void setRoot(Expr e) {
    Expr inner = ParenExpr.unwrap(e);
    rootSelector = inner instanceof VectorSelector vs ? vs : null;
  }

  boolean isRoot(VectorSelector vs) {
    return rootSelector == vs;
  }

  /**
   * The memo of label transformation {@code f} for {@code purpose} at {@code node} (nodes are compared by identity:
   * two equal subexpressions are still two places in the query).
   */
  GroupIndex groupIndex(Object node, UnaryOperator<Labels> key) {
    return groupIndexes.computeIfAbsent(node, k -> new GroupIndex(memo("grouping", node, key)::apply));
  }

  LabelMemo memo(String purpose, Object node, UnaryOperator<Labels> f) {
    return memos.computeIfAbsent(purpose, k -> new IdentityHashMap<>())
        .computeIfAbsent(node, k -> new LabelMemo(f));
  }

  StepValue eval(Expr e, long ts) {
    if (e instanceof NumberLiteral n) {
      return new StepValue.Num(n.value());
    }
    if (e instanceof StringLiteral s) {
      return new StepValue.Str(s.value());
    }
    if (e instanceof ParenExpr p) {
      return eval(p.expr(), ts);
    }
    if (e instanceof VectorSelector vs) {
      return selectors.instant(vs, ts);
    }
    if (e instanceof MatrixSelector ms) {
      return selectors.range(ms, ts);
    }
    if (e instanceof SubqueryExpr sq) {
      return subqueries.window(sq, ts);
    }
    if (e instanceof UnaryExpr u) {
      return unary(u, ts);
    }
    if (e instanceof BinaryExpr b) {
      StepValue out = BinaryOps.eval(this, b, ts);
      if (out instanceof StepValue.Vec v) {
        checkUniqueLabels(v.samples()); // e.g. {__name__=~"a|b"} / 2 once the names are dropped
      }
      return out;
    }
    if (e instanceof AggregateExpr a) {
      return Aggregations.eval(this, a, ts);
    }
    Call c = (Call) e;
    StepValue out = null;
    if (FunctionTable.get(c.function().name()) instanceof WindowFunction f) {
      out = selectors.windowCall(c, f, ts);
      if (out != null) {
        return out; // already checked for repeated label sets, once per query when it can
      }
    }
    if (out == null) {
      out = FunctionTable.call(c, new StepArgs(this, c, ts));
    }
    if (out instanceof StepValue.Vec v) {
      checkUniqueLabels(v.samples());
    }
    return out;
  }

  private StepValue unary(UnaryExpr u, long ts) {
    StepValue v = eval(u.expr(), ts);
    if (u.op().equals("+")) {
      return v;
    }
    if (v instanceof StepValue.Num n) {
      return new StepValue.Num(-n.value());
    }
    List<Sample> in = ((StepValue.Vec) v).samples();
    List<Sample> out = new ArrayList<>(in.size());
    for (Sample s : in) {
      out.add(new Sample(LabelsOps.dropMetricName(s.labels()), ts, -s.value()));
    }
    checkUniqueLabels(out);
    return new StepValue.Vec(out);
  }

  /** Prometheus fails a function whose output holds two samples with one label set (e.g. after dropping names). */
  static void checkUniqueLabels(List<Sample> samples) {
    if (samples.size() < 2) {
      return;
    }
    Set<Labels> seen = new HashSet<>(samples.size() * 2);
    for (Sample s : samples) {
      if (!seen.add(s.labels())) {
        throw new QueryException(QueryException.Type.EXECUTION,
            "vector cannot contain metrics with the same labelset");
      }
    }
  }

  /** Evaluates an instant-typed expression at every step of this evaluator's range into series. */
  List<Series> evalSeries(Expr e) {
    // Output series by first appearance; a step's samples usually come in the previous step's order, which the
    // index checks by identity before hashing the labels.
    GroupIndex index = new GroupIndex(UnaryOperator.identity());
    List<SeriesBuilder> out = new ArrayList<>();
    setRoot(e);
    // A bare selector's points are already counted by the selector: its result is its own matrix.
    boolean countOutput = rootSelector == null;
    for (long ts = start; ts <= end; ts += interval) {
      StepValue v = eval(e, ts);
      if (v instanceof StepValue.Num n) {
        builder(index, out, 0, Labels.EMPTY).add(ts, n.value());
        if (countOutput) {
          ctx.limits.retain(1);
        }
      } else if (v instanceof StepValue.Vec vec) {
        List<Sample> samples = vec.samples();
        for (int i = 0; i < samples.size(); i++) {
          Sample s = samples.get(i);
          SeriesBuilder b = builder(index, out, i, s.labels());
          if (b.lastTimestamp() == ts) {
            throw new QueryException(QueryException.Type.EXECUTION,
                "vector cannot contain metrics with the same labelset");
          }
          b.add(ts, s.value());
        }
        if (countOutput) {
          ctx.limits.retain(samples.size());
        }
      } else {
        throw new QueryException(QueryException.Type.EXECUTION,
            "unexpected value type in range evaluation: " + v.getClass().getSimpleName());
      }
      ctx.limits.endStep();
    }
    List<Series> series = new ArrayList<>(out.size());
    for (SeriesBuilder b : out) {
      series.add(b.build());
    }
    return series;
  }

  private static SeriesBuilder builder(GroupIndex index, List<SeriesBuilder> builders, int position, Labels labels) {
    int g = index.groupOf(position, labels);
    if (g == builders.size()) {
      builders.add(new SeriesBuilder(index.labels(g)));
    }
    return builders.get(g);
  }

  /** Accumulates the points of one output series without boxing. */
  static final class SeriesBuilder {
    private final Labels labels;
    private long[] ts = new long[16];
    private double[] vs = new double[16];
    private int n;

    SeriesBuilder(Labels labels) {
      this.labels = labels;
    }

    long lastTimestamp() {
      return n == 0 ? Long.MIN_VALUE : ts[n - 1];
    }

    void add(long t, double v) {
      if (n == ts.length) {
        ts = Arrays.copyOf(ts, n * 2);
        vs = Arrays.copyOf(vs, n * 2);
      }
      ts[n] = t;
      vs[n++] = v;
    }

    Series build() {
      return new Series(labels, Arrays.copyOf(ts, n), Arrays.copyOf(vs, n));
    }
  }
}
