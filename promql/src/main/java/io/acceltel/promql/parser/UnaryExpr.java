package io.acceltel.promql.parser;

/** Unary minus or plus on a scalar or instant vector. */
public record UnaryExpr(String op, Expr expr, int pos) implements Expr {
  @Override
  public ValueType type() {
    return expr.type();
  }
}
