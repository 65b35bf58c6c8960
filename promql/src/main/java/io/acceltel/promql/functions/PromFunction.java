package io.acceltel.promql.functions;

import io.acceltel.promql.engine.StepValue;

/** One PromQL function: from its arguments at a step to a scalar or an instant vector. */
@FunctionalInterface
public interface PromFunction {
  StepValue apply(FunctionArgs args);
}
