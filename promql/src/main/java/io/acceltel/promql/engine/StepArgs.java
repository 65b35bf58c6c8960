package io.acceltel.promql.engine;

import io.acceltel.promql.functions.FunctionArgs;
import io.acceltel.promql.parser.Call;
import io.acceltel.promql.parser.Expr;
import io.acceltel.promql.value.Sample;
import java.util.List;

/** A call's arguments at one step, each evaluated at most once, when the function first asks for it. */
final class StepArgs implements FunctionArgs {
  private final Evaluator ev;
  private final Call call;
  private final long ts;
  private final StepValue[] values;

  StepArgs(Evaluator ev, Call call, long ts) {
    this.ev = ev;
    this.call = call;
    this.ts = ts;
    this.values = new StepValue[call.args().size()];
  }

  private StepValue value(int i) {
    if (values[i] == null) {
      values[i] = ev.eval(call.args().get(i), ts);
    }
    return values[i];
  }

  @Override
  public long time() {
    return ts;
  }

  @Override
  public int size() {
    return values.length;
  }

  @Override
  public Expr expr(int i) {
    return call.args().get(i);
  }

  @Override
  public List<Sample> vector(int i) {
    return ((StepValue.Vec) value(i)).samples();
  }

  @Override
  public double scalar(int i) {
    return ((StepValue.Num) value(i)).value();
  }

  @Override
  public String string(int i) {
    return ((StepValue.Str) value(i)).value();
  }

  @Override
  public List<RangeWindow> range(int i) {
    return ((StepValue.Ranges) value(i)).windows();
  }
}
