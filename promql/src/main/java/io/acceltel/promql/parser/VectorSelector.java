package io.acceltel.promql.parser;

import io.acceltel.model.series.LabelMatcher;
import java.util.List;

/**
 * An instant vector selector such as {@code gpu_util{node="n1"} offset 5m @ 1700000000}.
 *
 * @param name the metric name written before the braces, or null
 * @param matchers every matcher, the {@code __name__} equality for {@code name} included (last, as in Prometheus)
 * @param offsetMillis the {@code offset}, 0 when none
 * @param at the {@code @} modifier, or null
 */
public record VectorSelector(String name, List<LabelMatcher> matchers, long offsetMillis, At at, int pos)
    implements Expr {
  public VectorSelector {
    matchers = List.copyOf(matchers);
  }

  @Override
  public ValueType type() {
    return ValueType.VECTOR;
  }

  VectorSelector withOffset(long offset) {
    return new VectorSelector(name, matchers, offset, at, pos);
  }

  VectorSelector withAt(At newAt) {
    return new VectorSelector(name, matchers, offsetMillis, newAt, pos);
  }
}
