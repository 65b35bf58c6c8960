package io.acceltel.exporter.http;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;

/**
 * Metric families serialized ahead of the scrape. The device metrics change once per tick, so they are written once
 * per tick and format (on the tick thread, for the formats scrapers have asked for) and a scrape copies bytes; only
 * the exporter's own few metrics are serialized per scrape.
 */
public interface PreRenderedMetrics {
  /**
   * The current families in the writer's format, without any end-of-exposition marker, or an empty array before the
   * first tick.
   */
  byte[] serialized(ExpositionFormatWriter writer);

  /** True for the Prometheus names these bytes already contain, which the per-scrape part must leave out. */
  boolean covers(String prometheusName);

  /**
   * The current rendering, fixed: a scrape takes its bytes and its names from one tick, or a tick published between
   * the two could have a family written twice (OpenMetrics forbids it).
   */
  default PreRenderedMetrics current() {
    return this;
  }
}
