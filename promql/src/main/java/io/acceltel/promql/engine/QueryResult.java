package io.acceltel.promql.engine;

import io.acceltel.promql.value.Value;
import java.util.List;

/** A successful evaluation: the value and any warnings (served in the API's {@code warnings} field). */
public record QueryResult(Value value, List<String> warnings) {
  public QueryResult {
    warnings = List.copyOf(warnings);
  }
}
