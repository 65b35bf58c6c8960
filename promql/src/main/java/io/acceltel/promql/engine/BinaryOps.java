package io.acceltel.promql.engine;

import io.acceltel.model.series.Labels;
import io.acceltel.promql.parser.BinaryExpr;
import io.acceltel.promql.parser.VectorMatching;
import io.acceltel.promql.parser.VectorMatching.Cardinality;
import io.acceltel.promql.value.Sample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binary operators: scalar/scalar, vector/scalar and vector/vector with Prometheus's vector matching (on, ignoring,
 * group_left, group_right), the bool modifier, comparison filtering and the set operators and/or/unless, with
 * Prometheus's error messages for many-to-many and duplicate matches.
 */
final class BinaryOps {
  private BinaryOps() {}

  static StepValue eval(Evaluator ev, BinaryExpr b, long ts) {
    StepValue l = ev.eval(b.lhs(), ts);
    StepValue r = ev.eval(b.rhs(), ts);
    if (l instanceof StepValue.Num ln && r instanceof StepValue.Num rn) {
      return new StepValue.Num(ArithmeticOps.apply(b.op(), ln.value(), rn.value()));
    }
    if (l instanceof StepValue.Vec lv && r instanceof StepValue.Num rn) {
      return new StepValue.Vec(vectorScalar(b, lv.samples(), rn.value(), false, ts));
    }
    if (l instanceof StepValue.Num ln && r instanceof StepValue.Vec rv) {
      return new StepValue.Vec(vectorScalar(b, rv.samples(), ln.value(), true, ts));
    }
    List<Sample> lhs = ((StepValue.Vec) l).samples();
    List<Sample> rhs = ((StepValue.Vec) r).samples();
    VectorMatching m = b.matching();
    LabelMemo ls = sigs(ev, b.lhs(), m);
    LabelMemo rs = sigs(ev, b.rhs(), m);
    return new StepValue.Vec(switch (b.op()) {
      case "and" -> and(lhs, rhs, ls, rs);
      case "or" -> or(lhs, rhs, ls, rs);
      case "unless" -> unless(lhs, rhs, ls, rs);
      default -> vectorVector(b, lhs, rhs, m, ls, rs, ts);
    });
  }

  private static List<Sample> vectorScalar(BinaryExpr b, List<Sample> vec, double scalar, boolean scalarLeft,
      long ts) {
    List<Sample> out = new ArrayList<>(vec.size());
    boolean comparison = b.isComparison();
    boolean drop = ArithmeticOps.dropsMetricName(b.op()) || b.returnBool();
    for (Sample s : vec) {
      double l = scalarLeft ? scalar : s.value();
      double r = scalarLeft ? s.value() : scalar;
      double value = ArithmeticOps.apply(b.op(), l, r);
      if (comparison) {
        if (b.returnBool()) {
          // value is already 1 or 0
        } else if (value == 0) {
          continue;
        } else {
          value = s.value(); // a filter keeps the vector's value, whichever side it is on
        }
      }
      out.add(new Sample(drop ? LabelsOps.dropMetricName(s.labels()) : s.labels(), ts, value));
    }
    return out;
  }

  /** The matching signature of each side, memoised per expression side across steps. */
  private static LabelMemo sigs(Evaluator ev, Object side, VectorMatching m) {
    return ev.memo("signature", side, l -> LabelsOps.signature(l, m.on(), m.labels()));
  }

  private static List<Sample> and(List<Sample> lhs, List<Sample> rhs, LabelMemo ls, LabelMemo rs) {
    Set<Labels> right = new HashSet<>();
    for (Sample s : rhs) {
      right.add(rs.apply(s.labels()));
    }
    List<Sample> out = new ArrayList<>();
    for (Sample s : lhs) {
      if (right.contains(ls.apply(s.labels()))) {
        out.add(s);
      }
    }
    return out;
  }

  private static List<Sample> or(List<Sample> lhs, List<Sample> rhs, LabelMemo ls, LabelMemo rs) {
    Set<Labels> left = new HashSet<>();
    List<Sample> out = new ArrayList<>(lhs.size() + rhs.size());
    for (Sample s : lhs) {
      left.add(ls.apply(s.labels()));
      out.add(s);
    }
    for (Sample s : rhs) {
      if (!left.contains(rs.apply(s.labels()))) {
        out.add(s);
      }
    }
    return out;
  }

  private static List<Sample> unless(List<Sample> lhs, List<Sample> rhs, LabelMemo ls, LabelMemo rs) {
    Set<Labels> right = new HashSet<>();
    for (Sample s : rhs) {
      right.add(rs.apply(s.labels()));
    }
    List<Sample> out = new ArrayList<>();
    for (Sample s : lhs) {
      if (!right.contains(ls.apply(s.labels()))) {
        out.add(s);
      }
    }
    return out;
  }

  private static List<Sample> vectorVector(BinaryExpr b, List<Sample> lhs, List<Sample> rhs, VectorMatching m,
      LabelMemo ls, LabelMemo rs, long ts) {
    if (lhs.isEmpty() || rhs.isEmpty()) {
      return new ArrayList<>();
    }
    boolean oneToMany = m.card() == Cardinality.ONE_TO_MANY;
    List<Sample> many = oneToMany ? rhs : lhs;
    List<Sample> one = oneToMany ? lhs : rhs;
    LabelMemo manySigs = oneToMany ? rs : ls;
    LabelMemo oneSigs2 = oneToMany ? ls : rs;

    Map<Labels, Sample> oneSigs = new HashMap<>(one.size() * 2);
    for (Sample s : one) {
      Labels sig = oneSigs2.apply(s.labels());
      Sample dup = oneSigs.put(sig, s);
      if (dup != null) {
        String side = oneToMany ? "left" : "right";
        Labels matched = m.on() ? LabelsOps.keep(s.labels(), m.labels()) : LabelsOps.without(s.labels(), m.labels(),
            true);
        throw new QueryException(QueryException.Type.EXECUTION, "found duplicate series for the match group "
            + LabelsOps.goString(matched) + " on the " + side + " hand-side of the operation: ["
            + LabelsOps.goString(s.labels()) + ", " + LabelsOps.goString(dup.labels())
            + "];many-to-many matching not allowed: matching labels must be unique on one side");
      }
    }

    List<Sample> out = new ArrayList<>();
    Map<Labels, Set<Labels>> matched = new HashMap<>();
    boolean comparison = b.isComparison();
    for (Sample ms : many) {
      Labels sig = manySigs.apply(ms.labels());
      Sample os = oneSigs.get(sig);
      if (os == null) {
        continue;
      }
      double vl = oneToMany ? os.value() : ms.value();
      double vr = oneToMany ? ms.value() : os.value();
      double value = ArithmeticOps.apply(b.op(), vl, vr);
      if (comparison) {
        if (b.returnBool()) {
          // 1 or 0 already
        } else if (value == 0) {
          continue;
        } else {
          value = vl;
        }
      }
      Labels metric = resultMetric(ms.labels(), os.labels(), b, m);
      if (b.returnBool()) {
        metric = LabelsOps.dropMetricName(metric);
      }
      Set<Labels> inserted = matched.get(sig);
      if (m.card() == Cardinality.ONE_TO_ONE) {
        if (inserted != null) {
          throw new QueryException(QueryException.Type.EXECUTION,
              "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
        }
        matched.put(sig, Set.of());
      } else {
        if (inserted == null) {
          inserted = new HashSet<>();
          matched.put(sig, inserted);
        } else if (inserted.contains(metric)) {
          throw new QueryException(QueryException.Type.EXECUTION,
              "multiple matches for labels: grouping labels must ensure unique matches");
        }
        inserted.add(metric);
      }
      out.add(new Sample(metric, ts, value));
    }
    return out;
  }

  /** Prometheus's {@code resultMetric}: result labels of a matched pair (many side, one side). */
  private static Labels resultMetric(Labels many, Labels one, BinaryExpr b, VectorMatching m) {
    Labels.Builder lb = many.toBuilder();
    if (ArithmeticOps.dropsMetricName(b.op())) {
      lb.remove(Labels.METRIC_NAME);
    }
    if (m.card() == Cardinality.ONE_TO_ONE) {
      if (m.on()) {
        for (String n : lb.names()) {
          if (!m.labels().contains(n)) {
            lb.remove(n);
          }
        }
      } else {
        for (String n : m.labels()) {
          lb.remove(n);
        }
      }
    }
    for (String n : m.include()) {
      String v = one.get(n);
      if (v != null) {
        lb.set(n, v);
      } else {
        lb.remove(n);
      }
    }
    return lb.build();
  }
}
