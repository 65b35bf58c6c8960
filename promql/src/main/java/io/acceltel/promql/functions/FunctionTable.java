package io.acceltel.promql.functions;

import io.acceltel.promql.engine.QueryException;
import io.acceltel.promql.engine.StepValue;
import io.acceltel.promql.parser.Call;
import java.util.HashMap;
import java.util.Map;

/**
 * The table from function name to implementation, like Prometheus's {@code FunctionCalls}. Signatures (argument
 * types, arity) live in {@link io.acceltel.promql.parser.FunctionSignature}; every function there has an entry here.
 */
public final class FunctionTable {
  private static final Map<String, PromFunction> FUNCTIONS = new HashMap<>();

  static {
    MathFunctions.register(FUNCTIONS);
    DateFunctions.register(FUNCTIONS);
    RangeFunctions.register(FUNCTIONS);
    LabelFunctions.register(FUNCTIONS);
    HistogramFunctions.register(FUNCTIONS);
    MiscFunctions.register(FUNCTIONS);
  }

  private FunctionTable() {}

  public static PromFunction get(String name) {
    return FUNCTIONS.get(name);
  }

  public static StepValue call(Call call, FunctionArgs args) {
    PromFunction f = FUNCTIONS.get(call.function().name());
    if (f == null) {
      throw new QueryException(QueryException.Type.INTERNAL, "function " + call.function().name()
          + " has no implementation");
    }
    return f.apply(args);
  }
}
