package io.acceltel.promql.functions;

import io.acceltel.promql.engine.RangeWindow;
import io.acceltel.promql.parser.Expr;
import io.acceltel.promql.value.Sample;
import java.util.List;

/** The arguments of one function call at one evaluation step, evaluated on demand. */
public interface FunctionArgs {
  /** The evaluation time in milliseconds. */
  long time();

  int size();

  /** The argument's syntax tree (absent() reads its matchers, timestamp() checks for a plain selector). */
  Expr expr(int i);

  List<Sample> vector(int i);

  double scalar(int i);

  String string(int i);

  List<RangeWindow> range(int i);
}
