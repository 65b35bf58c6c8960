package io.acceltel.promql.parser;

import java.util.List;

/** A function call such as {@code rate(x[5m])}. */
public record Call(FunctionSignature function, List<Expr> args, int pos) implements Expr {
  public Call {
    args = List.copyOf(args);
  }

  @Override
  public ValueType type() {
    return function.returnType();
  }
}
