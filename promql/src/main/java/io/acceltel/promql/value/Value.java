package io.acceltel.promql.value;

/** A PromQL result: a scalar, a string, an instant vector or a range vector (matrix). */
public sealed interface Value permits Scalar, StringValue, Vector, Matrix {
  /** Prometheus's resultType: "scalar", "string", "vector" or "matrix". */
  String type();
}
