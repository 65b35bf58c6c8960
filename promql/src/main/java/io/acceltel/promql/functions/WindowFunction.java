package io.acceltel.promql.functions;

import io.acceltel.promql.engine.RangeWindow;
import io.acceltel.promql.engine.StepValue;
import io.acceltel.promql.value.Sample;
import java.util.ArrayList;
import java.util.List;

/**
 * A range-vector function that maps each series' window to one value ({@code rate}, {@code *_over_time}, ...).
 * Besides the step-at-a-time {@link PromFunction} form, it exposes the per-window function itself, so the engine
 * can evaluate a range query one series at a time over all steps.
 */
public final class WindowFunction implements PromFunction {
  /** The value of one window; {@code args} gives the scalar arguments and the evaluation time. */
  @FunctionalInterface
  public interface Fn {
    double apply(RangeWindow w, FunctionArgs args);
  }

  private final int argIndex;
  private final int minPoints;
  private final boolean keepName;
  private final Fn fn;
  private final java.util.function.Consumer<FunctionArgs> argumentCheck;

  WindowFunction(int argIndex, int minPoints, boolean keepName, Fn fn) {
    this(argIndex, minPoints, keepName, fn, args -> { });
  }

  /**
   * @param argumentCheck throws for bad scalar arguments; Prometheus checks them for every window with a sample,
   *     even one too short to give a value ({@code holt_winters(x[1m], 0, 0.5)} over one sample is an error)
   */
  WindowFunction(int argIndex, int minPoints, boolean keepName, Fn fn,
      java.util.function.Consumer<FunctionArgs> argumentCheck) {
    this.argIndex = argIndex;
    this.minPoints = minPoints;
    this.keepName = keepName;
    this.fn = fn;
    this.argumentCheck = argumentCheck;
  }


  /** Which argument is the range vector. */
  public int rangeArgument() {
    return argIndex;
  }

  /** Windows with fewer samples produce nothing. */
  public int minPoints() {
    return minPoints;
  }

  /** Whether the output keeps the metric name (only last_over_time does in 2.42). */
  public boolean keepsName() {
    return keepName;
  }

  /** The value of one window. */
  public double valueOf(RangeWindow w, FunctionArgs args) {
    return fn.apply(w, args);
  }

  @Override
  public StepValue apply(FunctionArgs args) {
    List<RangeWindow> windows = args.range(argIndex);
    List<Sample> out = new ArrayList<>(windows.size());
    boolean checked = false;
    for (RangeWindow w : windows) {
      if (!checked && w.size() > 0) {
        argumentCheck.accept(args); // the same arguments for every window: once a window has a sample
        checked = true;
      }
      if (w.size() < minPoints) {
        continue;
      }
      out.add(new Sample(keepName ? w.labels() : w.labelsWithoutName(), args.time(), fn.apply(w, args)));
    }
    return new StepValue.Vec(out);
  }
}
