package io.acceltel.promql.functions;

import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.series.Labels;
import io.acceltel.promql.engine.LabelsOps;
import io.acceltel.promql.engine.StepValue;
import io.acceltel.promql.parser.Expr;
import io.acceltel.promql.parser.MatrixSelector;
import io.acceltel.promql.parser.ParenExpr;
import io.acceltel.promql.parser.VectorSelector;
import io.acceltel.promql.value.Sample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** absent, absent_over_time, sort, sort_desc, scalar, vector, time and timestamp. */
final class MiscFunctions {
  private MiscFunctions() {}

  static void register(Map<String, PromFunction> t) {
    t.put("time", args -> new StepValue.Num(args.time() / 1000.0));
    t.put("vector", args -> {
      List<Sample> out = new ArrayList<>(1);
      out.add(new Sample(Labels.EMPTY, args.time(), args.scalar(0)));
      return new StepValue.Vec(out);
    });
    t.put("scalar", args -> {
      List<Sample> in = args.vector(0);
      return new StepValue.Num(in.size() == 1 ? in.get(0).value() : Double.NaN);
    });
    t.put("timestamp", MiscFunctions::timestamp);
    t.put("absent", args -> args.vector(0).isEmpty() ? one(args) : new StepValue.Vec(new ArrayList<>()));
    t.put("absent_over_time", args -> args.range(0).isEmpty() ? one(args) : new StepValue.Vec(new ArrayList<>()));
    t.put("sort", args -> sorted(args, false));
    t.put("sort_desc", args -> sorted(args, true));
  }

  /**
   * timestamp(): the sample's own timestamp when the argument is a plain selector (the selector kept it), the
   * evaluation time otherwise.
   */
  private static StepValue timestamp(FunctionArgs args) {
    boolean selector = ParenExpr.unwrap(args.expr(0)) instanceof VectorSelector;
    List<Sample> in = args.vector(0);
    List<Sample> out = new ArrayList<>(in.size());
    for (Sample s : in) {
      long t = selector ? s.timestampMillis() : args.time();
      out.add(new Sample(LabelsOps.dropMetricName(s.labels()), args.time(), t / 1000.0));
    }
    return new StepValue.Vec(out);
  }

  private static StepValue one(FunctionArgs args) {
    List<Sample> out = new ArrayList<>(1);
    out.add(new Sample(absentLabels(args.expr(0)), args.time(), 1));
    return new StepValue.Vec(out);
  }

  /**
   * The labels absent() reports: those of the selector's equality matchers; a label with two matchers is left out,
   * as in Prometheus's {@code createLabelsForAbsentFunction}.
   */
  static Labels absentLabels(Expr e) {
    e = ParenExpr.unwrap(e);
    List<LabelMatcher> matchers;
    if (e instanceof VectorSelector vs) {
      matchers = vs.matchers();
    } else if (e instanceof MatrixSelector ms) {
      matchers = ms.selector().matchers();
    } else {
      return Labels.EMPTY;
    }
    Labels.Builder b = new Labels.Builder();
    Set<String> has = new HashSet<>();
    for (LabelMatcher m : matchers) {
      if (m.name().equals(Labels.METRIC_NAME)) {
        continue;
      }
      if (m.type() == LabelMatcher.Type.EQUAL && !has.contains(m.name())) {
        b.set(m.name(), m.value());
        has.add(m.name());
      } else {
        b.remove(m.name());
      }
    }
    return b.build();
  }

  /** sort: ascending; sort_desc: descending; NaN last either way, as Prometheus. */
  private static StepValue sorted(FunctionArgs args, boolean desc) {
    List<Sample> out = new ArrayList<>(args.vector(0));
    Comparator<Sample> cmp = (x, y) -> {
      boolean xn = Double.isNaN(x.value());
      boolean yn = Double.isNaN(y.value());
      if (xn || yn) {
        return Boolean.compare(xn, yn);
      }
      return desc ? Double.compare(y.value(), x.value()) : Double.compare(x.value(), y.value());
    };
    out.sort(cmp);
    return new StepValue.Vec(out);
  }
}
