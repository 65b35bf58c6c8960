package io.acceltel.promql.value;

/** A single number at a time. */
public record Scalar(long timestampMillis, double value) implements Value {
  @Override
  public String type() {
    return "scalar";
  }
}
