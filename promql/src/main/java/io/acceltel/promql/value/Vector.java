package io.acceltel.promql.value;

import java.util.List;

/** An instant vector. */
public record Vector(List<Sample> samples) implements Value {
  public Vector {
    samples = List.copyOf(samples);
  }

  @Override
  public String type() {
    return "vector";
  }
}
