package io.acceltel.promql.parser;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Walks over a syntax tree, for callers that ask a question of every node. */
public final class Exprs {
  private Exprs() {}

  /** The direct children of {@code e}, left to right; a range selector's child is its instant selector. */
  public static List<Expr> children(Expr e) {
    if (e instanceof MatrixSelector ms) {
      return List.of(ms.selector());
    }
    if (e instanceof ParenExpr p) {
      return List.of(p.expr());
    }
    if (e instanceof SubqueryExpr sq) {
      return List.of(sq.expr());
    }
    if (e instanceof UnaryExpr u) {
      return List.of(u.expr());
    }
    if (e instanceof Call c) {
      return c.args();
    }
    if (e instanceof AggregateExpr a) {
      return a.param() == null ? List.of(a.expr()) : List.of(a.param(), a.expr());
    }
    if (e instanceof BinaryExpr b) {
      return List.of(b.lhs(), b.rhs());
    }
    return List.of();
  }

  /** Whether {@code test} holds for {@code root} or any node below it. */
  public static boolean anyMatch(Expr root, Predicate<Expr> test) {
    List<Expr> pending = new ArrayList<>();
    pending.add(root);
    while (!pending.isEmpty()) {
      Expr e = pending.remove(pending.size() - 1);
      if (test.test(e)) {
        return true;
      }
      pending.addAll(children(e));
    }
    return false;
  }

  /**
   * Whether a range query of {@code e} answers each step from that step's time and data at or before it alone:
   * no {@code @} modifier (it pins a step to the query's start, end or another time) and no negative offset (it
   * reads after the step). Such a query's answer over a range is the answers over any split of the range, put
   * together, which is what lets a cache keep the steps it has answered.
   */
  public static boolean stepLocal(Expr e) {
    return !anyMatch(e, n -> n instanceof VectorSelector vs && (vs.at() != null || vs.offsetMillis() < 0)
        || n instanceof SubqueryExpr sq && (sq.at() != null || sq.offsetMillis() < 0));
  }
}
