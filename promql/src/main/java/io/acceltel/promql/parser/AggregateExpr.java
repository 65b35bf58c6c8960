package io.acceltel.promql.parser;

import java.util.List;

/**
 * An aggregation such as {@code topk by (node) (3, x)}.
 *
 * @param op the aggregation name ({@code sum}, {@code topk}, ...)
 * @param param the parameter of topk, bottomk, quantile and count_values, else null
 * @param grouping the by/without labels
 * @param without true for {@code without}, false for {@code by} (or no clause)
 */
public record AggregateExpr(String op, Expr expr, Expr param, List<String> grouping, boolean without, int pos)
    implements Expr {
  public AggregateExpr {
    grouping = List.copyOf(grouping);
  }

  @Override
  public ValueType type() {
    return ValueType.VECTOR;
  }
}
