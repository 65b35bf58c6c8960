package io.acceltel.promql.engine;

import io.acceltel.promql.value.Sample;
import java.util.List;

/**
 * The value of an expression at one evaluation step: a number, a string, an instant vector, or the windows of a
 * range vector. Internal to evaluation; results leave the engine as {@link io.acceltel.promql.value.Value}s.
 *
 * <p>A selector's samples keep their stored timestamp (so {@code timestamp(x)} can read it); everything else carries
 * the evaluation time, and the engine stamps the evaluation time on the final result.
 */
public sealed interface StepValue permits StepValue.Num, StepValue.Str, StepValue.Vec, StepValue.Ranges {
  /** A scalar. */
  record Num(double value) implements StepValue {}

  /** A string. */
  record Str(String value) implements StepValue {}

  /** An instant vector; the list is owned by whoever produced it and may be reused by the consumer. */
  record Vec(List<Sample> samples) implements StepValue {}

  /** A range vector at one step: one window per series that has samples in the range. */
  record Ranges(List<RangeWindow> windows) implements StepValue {}
}
