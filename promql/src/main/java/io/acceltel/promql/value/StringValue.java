package io.acceltel.promql.value;

/** A string literal result. */
public record StringValue(long timestampMillis, String value) implements Value {
  @Override
  public String type() {
    return "string";
  }
}
