package io.acceltel.model.catalog;

/**
 * The base unit of a metric. Names carry the unit as a suffix (OpenMetrics style), so the unit here must match the
 * name; {@link MetricDefinition} checks this when it is built.
 */
public enum Unit {
  RATIO("ratio"),
  BYTES("bytes"),
  BYTES_PER_SECOND("bytes_per_second"),
  WATTS("watts"),
  JOULES("joules"),
  CELSIUS("celsius"),
  HERTZ("hertz"),
  SECONDS("seconds"),
  /** A count or a state code: no unit suffix. */
  NONE("");

  private final String suffix;

  Unit(String suffix) {
    this.suffix = suffix;
  }

  /** The suffix the metric name carries, before any {@code _total}; empty for {@link #NONE}. */
  public String suffix() {
    return suffix;
  }
}
