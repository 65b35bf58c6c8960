package io.acceltel.promql.engine;

import io.acceltel.model.series.Labels;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Remembers a label transformation (grouping key, matching signature) per input label set instance. Selectors and
 * range functions hand out the same {@link Labels} instance for a series at every step, so a range query computes
 * each key once per series instead of once per step. Bounded, because inputs built anew at each step would never
 * hit.
 */
final class LabelMemo {
  private static final int MAX_ENTRIES = 100_000;
  private final Map<Labels, Labels> memo = new IdentityHashMap<>();
  private final UnaryOperator<Labels> f;

  LabelMemo(UnaryOperator<Labels> f) {
    this.f = f;
  }

  Labels apply(Labels in) {
    Labels out = memo.get(in);
    if (out == null) {
      out = f.apply(in);
      if (memo.size() < MAX_ENTRIES) {
        memo.put(in, out);
      }
    }
    return out;
  }
}
