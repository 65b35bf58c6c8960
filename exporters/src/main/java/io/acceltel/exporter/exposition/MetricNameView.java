package io.acceltel.exporter.exposition;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.acceltel.model.snapshot.NodeSnapshot;

/**
 * How a tick is named on {@code /metrics}: acceltel's own vendor-neutral names, or the names of an exporter whose
 * dashboards users already have (dcgm-exporter). Found through {@link java.util.ServiceLoader} and chosen with
 * {@code --names}.
 */
public interface MetricNameView {
  /** The name {@code --names} selects this view by. */
  String name();

  /** Renders one tick; called once per tick, off the scrape path, and the result is served until the next. */
  MetricSnapshots render(NodeSnapshot snapshot);
}
