package io.acceltel.exporter.exposition;

import io.acceltel.exporter.collect.SnapshotListener;
import io.acceltel.exporter.http.DirectTextFormatWriter;
import io.acceltel.exporter.http.PreRenderedMetrics;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.Optional;

/**
 * Bridges ticks to the Prometheus registry: each tick is rendered once, through the chosen name view, when it is
 * published; a scrape only serializes the last rendering and never touches a device. For the formats scrapers
 * actually use, the rendering is also serialized on the tick thread, so a scrape of the device metrics is a copy.
 */
public final class SnapshotExposition implements MultiCollector, SnapshotListener, PreRenderedMetrics {
  private final MetricNameView view;
  /** Formats a scraper asked for; each tick pre-serializes these. Bounded by the number of exposition formats. */
  private final Set<ExpositionFormatWriter> requestedFormats = ConcurrentHashMap.newKeySet();
  private volatile Rendered current;

  public SnapshotExposition(MetricNameView view) {
    this.view = view;
  }

  @Override
  public void onSnapshot(NodeSnapshot snapshot) {
    MetricSnapshots metrics = view.render(snapshot);
    Set<String> names = new HashSet<>();
    metrics.forEach(m -> names.add(m.getMetadata().getPrometheusName()));
    Rendered rendered = new Rendered(snapshot, metrics, Set.copyOf(names), new ConcurrentHashMap<>());
    for (ExpositionFormatWriter writer : requestedFormats) {
      rendered.serialized(writer);
    }
    current = rendered;
  }

  @Override
  public MetricSnapshots collect() {
    Rendered r = current;
    return r == null ? new MetricSnapshots() : r.metrics();
  }

  @Override
  public byte[] serialized(ExpositionFormatWriter writer) {
    requestedFormats.add(writer);
    Rendered r = current;
    return r == null ? new byte[0] : r.serialized(writer);
  }

  @Override
  public boolean covers(String prometheusName) {
    Rendered r = current;
    return r != null && r.names().contains(prometheusName);
  }

  @Override
  public PreRenderedMetrics current() {
    Rendered r = current;
    if (r == null) {
      return this;
    }
    return new PreRenderedMetrics() {
      @Override
      public byte[] serialized(ExpositionFormatWriter writer) {
        requestedFormats.add(writer);
        return r.serialized(writer);
      }

      @Override
      public boolean covers(String prometheusName) {
        return r.names().contains(prometheusName);
      }
    };
  }

  /** The tick being served, if any has completed yet. */
  public Optional<NodeSnapshot> latest() {
    Rendered r = current;
    return r == null ? Optional.empty() : Optional.of(r.snapshot());
  }

  private record Rendered(NodeSnapshot snapshot, MetricSnapshots metrics, Set<String> names,
      Map<String, byte[]> bytesByFormat) {
    byte[] serialized(ExpositionFormatWriter writer) {
      return bytesByFormat.computeIfAbsent(writer.getContentType(), type -> write(writer, metrics));
    }
  }

  private static byte[] write(ExpositionFormatWriter writer, MetricSnapshots metrics) {
    try {
      // The per-scrape part that follows ends the OpenMetrics exposition; this part must not end it first.
      return DirectTextFormatWriter.leadingPart(writer, metrics);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
