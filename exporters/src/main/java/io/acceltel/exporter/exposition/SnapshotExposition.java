package io.acceltel.exporter.exposition;

import io.acceltel.exporter.collect.SnapshotListener;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.Optional;

/**
 * Bridges ticks to the Prometheus registry: each tick is rendered once, through the chosen name view, when it is
 * published; a scrape only serializes the last rendering and never touches a device.
 */
public final class SnapshotExposition implements MultiCollector, SnapshotListener {
  private final MetricNameView view;
  private volatile Rendered current;

  public SnapshotExposition(MetricNameView view) {
    this.view = view;
  }

  @Override
  public void onSnapshot(NodeSnapshot snapshot) {
    current = new Rendered(snapshot, view.render(snapshot));
  }

  @Override
  public MetricSnapshots collect() {
    Rendered r = current;
    return r == null ? new MetricSnapshots() : r.metrics();
  }

  /** The tick being served, if any has completed yet. */
  public Optional<NodeSnapshot> latest() {
    Rendered r = current;
    return r == null ? Optional.empty() : Optional.of(r.snapshot());
  }

  private record Rendered(NodeSnapshot snapshot, MetricSnapshots metrics) {}
}
