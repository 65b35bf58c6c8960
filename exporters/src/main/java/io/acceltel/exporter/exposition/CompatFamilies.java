package io.acceltel.exporter.exposition;

import io.acceltel.model.snapshot.DeviceSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Builds one metric family of a compatibility name view (dcgm-exporter's, npu-exporter's) from a
 * {@link ReadingExtractor} applied to every device of a tick.
 */
final class CompatFamilies {
  private CompatFamilies() {}

  /**
   * The family, or null when no device has a value.
   *
   * @param untyped true to serve the family as untyped: another exporter's counter without {@code _total} keeps its
   *     exact name that way, because client_java appends {@code _total} to every counter it writes
   * @param labels the labels of each device, in the order of {@code devices}
   */
  static MetricSnapshot family(String name, String help, boolean untyped, ReadingExtractor extractor,
      List<DeviceSnapshot> devices, List<Labels> labels) {
    List<OptionalDouble> values = new ArrayList<>(devices.size());
    for (DeviceSnapshot device : devices) {
      values.add(extractor.extract(device));
    }
    return family(name, help, untyped, values, labels);
  }

  /** The family of one value per series (empty: no such series), or null when there is none. */
  static MetricSnapshot family(String name, String help, boolean untyped, List<OptionalDouble> values,
      List<Labels> labels) {
    MetricMetadata metadata = new MetricMetadata(name, help);
    List<UnknownDataPointSnapshot> unknown = new ArrayList<>();
    List<GaugeDataPointSnapshot> gauges = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      OptionalDouble v = values.get(i);
      if (v.isEmpty()) {
        continue;
      }
      if (untyped) {
        unknown.add(new UnknownDataPointSnapshot(v.getAsDouble(), labels.get(i), null));
      } else {
        gauges.add(new GaugeDataPointSnapshot(v.getAsDouble(), labels.get(i), null));
      }
    }
    if (untyped) {
      return unknown.isEmpty() ? null : new UnknownSnapshot(metadata, unknown);
    }
    return gauges.isEmpty() ? null : new GaugeSnapshot(metadata, gauges);
  }
}
