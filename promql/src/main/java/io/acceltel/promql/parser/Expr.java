package io.acceltel.promql.parser;

/**
 * A node of the PromQL syntax tree. Nodes are immutable records; {@link #pos()} is the 0-based character offset
 * where the node starts in the query, used for Prometheus-style {@code line:col} error positions.
 */
public sealed interface Expr permits NumberLiteral, StringLiteral, VectorSelector, MatrixSelector, SubqueryExpr,
    Call, AggregateExpr, BinaryExpr, UnaryExpr, ParenExpr {
  ValueType type();

  int pos();
}
