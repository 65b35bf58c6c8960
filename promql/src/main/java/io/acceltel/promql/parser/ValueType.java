package io.acceltel.promql.parser;

/** The static type of a PromQL expression, with the names Prometheus uses in its error messages. */
public enum ValueType {
  SCALAR("scalar", "scalar"),
  VECTOR("instant vector", "vector"),
  MATRIX("range vector", "matrix"),
  STRING("string", "string");

  private final String documented;
  private final String internal;

  ValueType(String documented, String internal) {
    this.documented = documented;
    this.internal = internal;
  }

  /** Prometheus's internal name ({@code vector}, {@code matrix}), used in a few messages. */
  public String internal() {
    return internal;
  }

  /** The name used in messages such as {@code expected type range vector in call to function "rate"}. */
  public String documented() {
    return documented;
  }
}
