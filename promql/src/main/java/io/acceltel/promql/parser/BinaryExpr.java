package io.acceltel.promql.parser;

/**
 * A binary operation. {@code matching} is null when a side is a scalar.
 *
 * @param op the operator as written ({@code +}, {@code ==}, {@code and}, {@code atan2}, ...)
 * @param opPos where the operator starts, for error messages
 */
public record BinaryExpr(String op, Expr lhs, Expr rhs, VectorMatching matching, boolean returnBool, int pos,
    int opPos) implements Expr {
  @Override
  public ValueType type() {
    return lhs.type() == ValueType.SCALAR && rhs.type() == ValueType.SCALAR ? ValueType.SCALAR : ValueType.VECTOR;
  }

  public boolean isComparison() {
    return Operators.isComparison(op);
  }

  public boolean isSetOperator() {
    return Operators.isSet(op);
  }
}
