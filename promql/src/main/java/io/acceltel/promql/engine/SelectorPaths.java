package io.acceltel.promql.engine;

import io.acceltel.promql.parser.AggregateExpr;
import io.acceltel.promql.parser.BinaryExpr;
import io.acceltel.promql.parser.Call;
import io.acceltel.promql.parser.Expr;
import io.acceltel.promql.parser.MatrixSelector;
import io.acceltel.promql.parser.ParenExpr;
import io.acceltel.promql.parser.SubqueryExpr;
import io.acceltel.promql.parser.UnaryExpr;
import io.acceltel.promql.parser.VectorSelector;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * For each selector, the function or aggregation around it and the aggregation's {@code by} labels, found like
 * Prometheus's {@code extractFuncFromPath}: the nearest enclosing call or aggregation, stopping at a binary
 * operator or a unary minus. A store with downsampled tiers picks the aggregate to return from these.
 */
final class SelectorPaths {
  record Enclosing(String function, List<String> grouping) {}

  private static final Enclosing NONE = new Enclosing("", List.of());
  private final Map<VectorSelector, Enclosing> bySelector = new IdentityHashMap<>();

  static SelectorPaths of(Expr root) {
    SelectorPaths p = new SelectorPaths();
    p.walk(root, NONE, NONE);
    return p;
  }

  Enclosing of(VectorSelector vs) {
    return bySelector.getOrDefault(vs, NONE);
  }

  /**
   * @param fn the enclosing function as seen from here
   * @param direct grouping hint: only when the direct parent is a {@code by} aggregation
   */
  private void walk(Expr e, Enclosing fn, Enclosing direct) {
    if (e instanceof VectorSelector vs) {
      bySelector.put(vs, new Enclosing(fn.function(), direct.grouping()));
    } else if (e instanceof MatrixSelector ms) {
      walk(ms.selector(), fn, NONE);
    } else if (e instanceof ParenExpr p) {
      walk(p.expr(), fn, NONE);
    } else if (e instanceof SubqueryExpr sq) {
      walk(sq.expr(), fn, NONE);
    } else if (e instanceof UnaryExpr u) {
      // Unlike Prometheus's path walk, which only hints: here the function picks the tier column, and max(-x) needs
      // x's smallest values, not its largest. Negation ends the path like a binary operator.
      walk(u.expr(), NONE, NONE);
    } else if (e instanceof Call c) {
      Enclosing here = new Enclosing(c.function().name(), List.of());
      for (Expr a : c.args()) {
        walk(a, here, NONE);
      }
    } else if (e instanceof AggregateExpr a) {
      Enclosing here = new Enclosing(a.op(), a.without() ? List.of() : a.grouping());
      walk(a.expr(), here, here);
      if (a.param() != null) {
        walk(a.param(), here, NONE);
      }
    } else if (e instanceof BinaryExpr b) {
      walk(b.lhs(), NONE, NONE);
      walk(b.rhs(), NONE, NONE);
    }
  }
}
