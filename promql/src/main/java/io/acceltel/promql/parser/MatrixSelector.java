package io.acceltel.promql.parser;

/** A range vector selector {@code selector[range]}; offset and {@code @} live on the inner selector. */
public record MatrixSelector(VectorSelector selector, long rangeMillis, int pos) implements Expr {
  @Override
  public ValueType type() {
    return ValueType.MATRIX;
  }
}
