package io.acceltel.promql.engine;

import io.acceltel.model.series.Labels;
import io.acceltel.promql.functions.Stats;
import io.acceltel.promql.parser.AggregateExpr;
import io.acceltel.promql.parser.GoStrings;
import io.acceltel.promql.value.GoFloat;
import io.acceltel.promql.value.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Aggregation operators with {@code by}/{@code without}, computed as Prometheus 2.42 computes them: incremental
 * mean for avg, Welford's population variance for stddev/stdvar, NaN-aware min/max, topk/bottomk through Go's heap
 * order (see {@link TopK}), quantile with linear interpolation, count_values labelled with Go's shortest 'f' format.
 * Groups come out in the order they were first seen.
 */
final class Aggregations {
  private Aggregations() {}

  /** Running state of one group. */
  private static final class Group {
    final Labels labels;
    double value;
    double mean;
    long count;
    /** The members, for the operators that need them (topk, bottomk, quantile); null otherwise. */
    List<Sample> members;

    Group(Labels labels) {
      this.labels = labels;
    }
  }

  /** The operator, looked up once per step rather than compared as a string for every input sample. */
  private enum Op {
    SUM, AVG, COUNT, GROUP, MIN, MAX, STDDEV, STDVAR, TOPK, BOTTOMK, QUANTILE, COUNT_VALUES;

    static Op of(String name) {
      return switch (name) {
        case "sum" -> SUM;
        case "avg" -> AVG;
        case "count" -> COUNT;
        case "group" -> GROUP;
        case "min" -> MIN;
        case "max" -> MAX;
        case "stddev" -> STDDEV;
        case "stdvar" -> STDVAR;
        case "topk" -> TOPK;
        case "bottomk" -> BOTTOMK;
        case "quantile" -> QUANTILE;
        case "count_values" -> COUNT_VALUES;
        default -> throw new IllegalStateException("unknown aggregation " + name);
      };
    }

    boolean keepsMembers() {
      return this == TOPK || this == BOTTOMK || this == QUANTILE;
    }
  }

  static StepValue eval(Evaluator ev, AggregateExpr a, long ts) {
    double param = Double.NaN;
    String valueLabel = null;
    if (a.param() != null) {
      StepValue p = ev.eval(a.param(), ts);
      if (p instanceof StepValue.Str s) {
        valueLabel = s.value();
      } else {
        param = ((StepValue.Num) p).value();
      }
    }
    Op op = Op.of(a.op());
    // A table's step is read in place for the operators that keep no members: no Sample per series per step.
    Selectors.TableStep table = valueLabel == null && !op.keepsMembers() ? ev.selectors.tableStep(a.expr(), ts)
        : null;
    List<Sample> in = table != null ? List.of() : ((StepValue.Vec) ev.eval(a.expr(), ts)).samples();
    if (op == Op.COUNT_VALUES && !Labels.isValidName(valueLabel)) {
      throw new QueryException(QueryException.Type.EXECUTION, "invalid label name " + GoStrings.quote(valueLabel));
    }
    List<String> grouping = a.grouping();
    if (op == Op.COUNT_VALUES && !a.without()) {
      grouping = new ArrayList<>(grouping);
      grouping.add(valueLabel);
    }
    if (op == Op.TOPK || op == Op.BOTTOMK) {
      // Prometheus's convertibleToInt64: NaN and values past int64 are errors, not "no k" or "every series".
      if (!(param <= 9223372036854774784.0 && param >= -9223372036854775808.0)) {
        throw new QueryException(QueryException.Type.EXECUTION, "Scalar value " + GoFloat.format(param, 'e')
            + " overflows int64");
      }
      if ((long) param < 1) {
        return new StepValue.Vec(new ArrayList<>());
      }
    }

    List<Group> groups = new ArrayList<>();
    List<String> groupingLabels = grouping;
    GroupIndex index = valueLabel != null ? null : ev.groupIndex(a, l -> a.without()
        ? LabelsOps.without(l, groupingLabels, true) : LabelsOps.keep(l, groupingLabels));
    if (table != null) {
      StepTable t = table.table;
      int step = table.step;
      int[] rowGroups = index.groupsOfRows(t); // a row's group is the same at every step
      Group[] byIndex = new Group[index.size()];
      int points = 0;
      for (int row = 0; row < rowGroups.length; row++) {
        if (!t.has(step, row)) {
          continue;
        }
        points++;
        int g = rowGroups[row];
        double v = t.value(step, row);
        if (byIndex[g] == null) {
          byIndex[g] = newGroup(op, index.labels(g), v);
          groups.add(byIndex[g]);
        } else {
          accumulate(op, byIndex[g], v);
        }
      }
      table.done(points);
    } else if (index != null) {
      Group[] byIndex = new Group[index.size() + in.size()]; // at most one new group per input sample
      for (int i = 0; i < in.size(); i++) {
        Sample s = in.get(i);
        int g = index.groupOf(i, s.labels());
        if (byIndex[g] == null) {
          byIndex[g] = newGroup(op, index.labels(g), s, ts);
          groups.add(byIndex[g]); // in first-seen order, as Prometheus outputs them
        } else {
          accumulate(op, byIndex[g], s, ts);
        }
      }
    } else {
      Map<Labels, Group> byKey = new LinkedHashMap<>();
      for (Sample s : in) {
        Labels metric = s.labels().toBuilder().set(valueLabel, GoFloat.format(s.value(), 'f')).build();
        Labels key = a.without() ? LabelsOps.without(metric, grouping, true) : LabelsOps.keep(metric, grouping);
        Group g = byKey.get(key);
        if (g == null) {
          g = newGroup(op, key, s, ts);
          byKey.put(key, g);
          groups.add(g);
        } else {
          accumulate(op, g, s, ts);
        }
      }
    }

    List<Sample> out = new ArrayList<>(groups.size());
    for (Group g : groups) {
      switch (op) {
        case AVG -> out.add(new Sample(g.labels, ts, g.mean));
        case STDDEV -> out.add(new Sample(g.labels, ts, Math.sqrt(g.value / g.count)));
        case STDVAR -> out.add(new Sample(g.labels, ts, g.value / g.count));
        case QUANTILE -> {
          double[] vs = new double[g.members.size()];
          for (int i = 0; i < vs.length; i++) {
            vs[i] = g.members.get(i).value();
          }
          out.add(new Sample(g.labels, ts, Stats.quantile(param, vs, vs.length)));
        }
        case TOPK, BOTTOMK -> out.addAll(TopK.select(g.members, (long) param, op == Op.TOPK));
        default -> out.add(new Sample(g.labels, ts, g.value));
      }
    }
    return new StepValue.Vec(out);
  }

  /** A group whose first member is {@code s}. */
  private static Group newGroup(Op op, Labels labels, Sample s, long ts) {
    Group g = newGroup(op, labels, s.value());
    if (op.keepsMembers()) {
      g.members = new ArrayList<>();
      g.members.add(new Sample(s.labels(), ts, s.value()));
    }
    return g;
  }

  /** A group whose first value is {@code v}, for an operator that keeps no members. */
  private static Group newGroup(Op op, Labels labels, double v) {
    Group g = new Group(labels);
    g.value = v;
    g.mean = v;
    g.count = 1;
    if (op == Op.GROUP || op == Op.COUNT || op == Op.COUNT_VALUES) {
      g.value = 1;
    } else if (op == Op.STDDEV || op == Op.STDVAR) {
      g.value = 0;
    }
    return g;
  }

  private static void accumulate(Op op, Group g, Sample s, long ts) {
    if (g.members != null) {
      g.members.add(new Sample(s.labels(), ts, s.value()));
    } else {
      accumulate(op, g, s.value());
    }
  }

  private static void accumulate(Op op, Group g, double v) {
    switch (op) {
      case SUM -> g.value += v;
      case AVG -> {
        g.count++;
        if (Double.isInfinite(g.mean)) {
          if (Double.isInfinite(v) && (g.mean > 0) == (v > 0)) {
            return; // same-signed infinities: the mean is already right and Inf - Inf would give NaN
          }
          if (!Double.isInfinite(v) && !Double.isNaN(v)) {
            return; // an infinite mean stays infinite when a finite value is added
          }
        }
        // Dividing each term first avoids overflow, as Prometheus does.
        g.mean += v / g.count - g.mean / g.count;
      }
      case COUNT, COUNT_VALUES -> g.value++;
      case GROUP -> g.value = 1;
      case MIN -> {
        if (g.value > v || Double.isNaN(g.value)) {
          g.value = v;
        }
      }
      case MAX -> {
        if (g.value < v || Double.isNaN(g.value)) {
          g.value = v;
        }
      }
      case STDDEV, STDVAR -> {
        g.count++;
        double delta = v - g.mean;
        g.mean += delta / g.count;
        g.value += delta * (v - g.mean);
      }
      case TOPK, BOTTOMK, QUANTILE -> throw new IllegalStateException(op + " keeps its members");
    }
  }
}
