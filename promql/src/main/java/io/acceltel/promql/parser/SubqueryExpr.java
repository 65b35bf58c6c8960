package io.acceltel.promql.parser;

/**
 * A subquery {@code expr[range:step]}.
 *
 * @param stepMillis the step, 0 when omitted (the engine's default evaluation interval then applies)
 * @param at the {@code @} modifier, or null
 */
public record SubqueryExpr(Expr expr, long rangeMillis, long stepMillis, long offsetMillis, At at, int pos)
    implements Expr {
  @Override
  public ValueType type() {
    return ValueType.MATRIX;
  }

  SubqueryExpr withOffset(long offset) {
    return new SubqueryExpr(expr, rangeMillis, stepMillis, offset, at, pos);
  }

  SubqueryExpr withAt(At newAt) {
    return new SubqueryExpr(expr, rangeMillis, stepMillis, offsetMillis, newAt, pos);
  }
}
