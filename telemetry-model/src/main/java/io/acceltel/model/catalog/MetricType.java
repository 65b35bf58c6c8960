package io.acceltel.model.catalog;

/** How a catalog metric behaves over time; decides its exposition type and how the aggregator downsamples it. */
public enum MetricType {
  /** A value that can go up and down, read as it is. */
  GAUGE,
  /** A monotonically increasing count; resets only when the source restarts (driver reload, exporter restart). */
  COUNTER,
  /** Constant 1 that carries identity in its labels. */
  INFO,
  /** A distribution in buckets; used only by the exporter's own metrics. */
  HISTOGRAM;

  public String lowerCase() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
