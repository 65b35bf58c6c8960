package io.acceltel.exporter.exposition;

import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.catalog.MetricType;
import io.acceltel.model.snapshot.Attribution;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.acceltel.model.snapshot.Reading;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** acceltel's own names: the catalog's, with the device labels first and the metric's own labels after. */
public final class NativeNameView implements MetricNameView {
  public static final String NAME = "native";

  /** The label sets of the devices in the last tick rendered; see {@link DeviceLabelSet}. */
  private Map<DeviceLabelSet.Key, DeviceLabelSet> lastTickLabels = Map.of();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public synchronized MetricSnapshots render(NodeSnapshot snapshot) {
    Map<MetricDefinition, List<Point>> byMetric = new LinkedHashMap<>();
    for (MetricDefinition m : MetricCatalog.all()) {
      if (m.perDevice()) {
        byMetric.put(m, new ArrayList<>());
      }
    }
    Map<DeviceLabelSet.Key, DeviceLabelSet> thisTickLabels = new HashMap<>();
    for (DeviceSnapshot device : snapshot.devices()) {
      DeviceLabelSet deviceLabels = labelSet(snapshot.node(), device, device.attribution(), thisTickLabels);
      for (Reading r : device.readings()) {
        Attribution holder = device.attributionOf(r);
        DeviceLabelSet labels = holder == device.attribution() ? deviceLabels
            : labelSet(snapshot.node(), device, holder, thisTickLabels); // a MIG instance's own holder
        byMetric.computeIfAbsent(r.metric(), k -> new ArrayList<>())
            .add(new Point(labels.with(r.metric().labelNames(), r.labelValues()), r.value()));
      }
    }
    lastTickLabels = thisTickLabels;
    List<MetricSnapshot> out = new ArrayList<>();
    byMetric.forEach((metric, points) -> {
      if (!points.isEmpty()) {
        out.add(toSnapshot(metric, points));
      }
    });
    return new MetricSnapshots(out);
  }

  /** The label set of a device held by {@code holder}: the last tick's while it still applies, started for this one. */
  private DeviceLabelSet labelSet(String node, DeviceSnapshot device, Attribution holder,
      Map<DeviceLabelSet.Key, DeviceLabelSet> thisTickLabels) {
    DeviceLabelSet.Key key = new DeviceLabelSet.Key(node, device.identity(), holder);
    DeviceLabelSet labels = thisTickLabels.get(key);
    if (labels == null) {
      labels = lastTickLabels.get(key);
      if (labels == null) {
        labels = DeviceLabelSet.of(key);
      }
      labels.startTick();
      thisTickLabels.put(key, labels);
    }
    return labels;
  }

  /** One sample before it becomes a client_java data point. */
  record Point(Labels labels, double value) {}

  /** client_java validates a metadata's names as it builds it; a metric's metadata never changes. */
  private static final Map<MetricDefinition, MetricMetadata> METADATA = new ConcurrentHashMap<>();

  private static MetricMetadata metadata(MetricDefinition metric) {
    return METADATA.computeIfAbsent(metric, m -> {
      if (m.type() == MetricType.INFO) {
        return new MetricMetadata(m.baseName(), m.help());
      }
      Unit unit = m.unit() == io.acceltel.model.catalog.Unit.NONE ? null : new Unit(m.unit().suffix());
      return new MetricMetadata(m.baseName(), m.help(), unit);
    });
  }

  static MetricSnapshot toSnapshot(MetricDefinition metric, List<Point> points) {
    MetricMetadata metadata = metadata(metric);
    switch (metric.type()) {
      case COUNTER -> {
        List<CounterDataPointSnapshot> data = new ArrayList<>(points.size());
        for (Point p : points) {
          data.add(new CounterDataPointSnapshot(p.value(), p.labels(), null, 0L));
        }
        return new CounterSnapshot(metadata, data);
      }
      case INFO -> {
        List<InfoDataPointSnapshot> data = new ArrayList<>(points.size());
        for (Point p : points) {
          data.add(new InfoDataPointSnapshot(p.labels()));
        }
        return new InfoSnapshot(metadata, data);
      }
      default -> {
        List<GaugeDataPointSnapshot> data = new ArrayList<>(points.size());
        for (Point p : points) {
          data.add(new GaugeDataPointSnapshot(p.value(), p.labels(), null));
        }
        return new GaugeSnapshot(metadata, data);
      }
    }
  }
}
