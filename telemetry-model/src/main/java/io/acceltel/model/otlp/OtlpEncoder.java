package io.acceltel.model.otlp;

import io.acceltel.model.catalog.DeviceLabels;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.catalog.MetricType;
import io.acceltel.model.snapshot.Attribution;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.acceltel.model.snapshot.Reading;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.DataPointFlags;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Encodes one tick as one OTLP {@code ExportMetricsServiceRequest}: the payload of topic {@code acceltel.metrics.v1},
 * readable by the OpenTelemetry Collector's Kafka receiver with encoding {@code otlp_proto}.
 *
 * <p>The mapping (documented in docs/kafka-payload.md): one OTLP metric per catalog metric, named with the
 * Prometheus base name (counters without {@code _total}); gauges and info metrics as {@code Gauge}, counters as
 * monotonic cumulative {@code Sum}; every data point carries all its labels as attributes (device labels,
 * attribution labels, the metric's own labels), so a consumer needs nothing else to name the series; the resource
 * carries {@code node} and {@code service.name}. Timestamps are the tick's aligned wall-clock time.
 *
 * <pre>{@code
 * byte[] payload = new OtlpEncoder("0.1.0").encode(snapshot);
 * producer.send(new ProducerRecord<>("acceltel.metrics.v1", snapshot.node(), payload));
 * }</pre>
 */
public final class OtlpEncoder {
  public static final String SCOPE_NAME = "io.acceltel.exporter";
  private final String version;

  public OtlpEncoder(String version) {
    this.version = version;
  }

  /** One tick on its own, without staleness markers: see {@link Stream} for a node's sequence of ticks. */
  public byte[] encode(NodeSnapshot snapshot) {
    return request(snapshot).toByteArray();
  }

  public ExportMetricsServiceRequest request(NodeSnapshot snapshot) {
    return request(snapshot, null);
  }

  /** A stream of one node's ticks, each marking stale the series the one before had: see {@link Stream}. */
  public Stream stream() {
    return new Stream();
  }

  /**
   * One node's ticks, encoded in order on one thread. Each tick also carries a staleness marker (a point flagged
   * {@code FLAG_NO_RECORDED_VALUE}, no value) for every series the previous tick had and this one lacks, as
   * Prometheus marks the series missing from a scrape. Without it a consumer keeps a vanished series for its
   * lookback: a GPU handed to another pod would be summed under both pods' labels for 5 minutes, and a lost GPU's
   * power would linger. A device whose read was late this tick (unread) keeps its series: it is late, not gone.
   */
  public final class Stream {
    /** The last tick's series per device. */
    private Map<DeviceIdentity, DeviceSeries> previous = Map.of();

    private Stream() {}

    public byte[] encode(NodeSnapshot snapshot) {
      return request(snapshot, this).toByteArray();
    }

    /** Adds to {@code metrics} a marker for each series of one device that {@code before} has and {@code now} lacks. */
    private static void markVanished(DeviceSeries before, DeviceSeries now, long timeNanos,
        Map<MetricDefinition, Metric.Builder> metrics) {
      // Most ticks name the same series in the same order: one comparison in order, no hashing.
      if (before == null || before.keys().equals(now.keys())) {
        return;
      }
      Set<SeriesKey> present = new HashSet<>(now.keys());
      for (int i = 0; i < before.keys().size(); i++) {
        SeriesKey key = before.keys().get(i);
        if (!present.contains(key)) {
          addPoint(metrics, key.metric(), NumberDataPoint.newBuilder().setTimeUnixNano(timeNanos)
              .addAllAttributes(before.attributes().get(i))
              .setFlags(DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK_VALUE));
        }
      }
    }
  }

  /** A series of one tick: the attribution is the holder's (a MIG instance's own, on its series). */
  private record SeriesKey(MetricDefinition metric, Attribution holder, List<String> labelValues) {}

  /** One device's series in a tick, in reading order, with the attributes that name each in a marker. */
  private record DeviceSeries(List<SeriesKey> keys, List<List<KeyValue>> attributes) {
    static final DeviceSeries NONE = new DeviceSeries(List.of(), List.of());
  }

  private ExportMetricsServiceRequest request(NodeSnapshot snapshot, Stream stream) {
    long timeNanos = snapshot.timestampMillis() * 1_000_000L;
    Map<MetricDefinition, Metric.Builder> metrics = new LinkedHashMap<>();
    Map<DeviceIdentity, DeviceSeries> seen = stream == null ? null : new HashMap<>();
    for (DeviceSnapshot device : snapshot.devices()) {
      if (stream != null && device.unread()) {
        DeviceSeries kept = stream.previous.get(device.identity());
        if (kept != null) {
          seen.put(device.identity(), kept);
        }
        continue;
      }
      DeviceSeries series = stream == null ? null
          : new DeviceSeries(new ArrayList<>(device.readings().size()), new ArrayList<>(device.readings().size()));
      List<KeyValue> deviceAttributes = deviceAttributes(snapshot.node(), device.identity(), device.attribution());
      for (Reading r : device.readings()) {
        Attribution holder = device.attributionOf(r);
        NumberDataPoint.Builder point = NumberDataPoint.newBuilder()
            .setTimeUnixNano(timeNanos)
            .setAsDouble(r.value())
            .addAllAttributes(holder == device.attribution() ? deviceAttributes
                : deviceAttributes(snapshot.node(), device.identity(), holder)); // a MIG instance's own holder
        for (int i = 0; i < r.labelValues().size(); i++) {
          point.addAttributes(attribute(r.metric().labelNames().get(i), r.labelValues().get(i)));
        }
        if (series != null) {
          series.keys().add(new SeriesKey(r.metric(), holder, r.labelValues()));
          series.attributes().add(point.getAttributesList());
        }
        addPoint(metrics, r.metric(), point);
      }
      if (stream != null) {
        Stream.markVanished(stream.previous.get(device.identity()), series, timeNanos, metrics);
        seen.put(device.identity(), series);
      }
    }
    if (stream != null) {
      stream.previous.forEach((device, series) -> {
        if (!seen.containsKey(device)) {
          Stream.markVanished(series, DeviceSeries.NONE, timeNanos, metrics); // a device no longer in the tick
        }
      });
      stream.previous = seen;
    }
    ScopeMetrics.Builder scope = ScopeMetrics.newBuilder()
        .setScope(InstrumentationScope.newBuilder().setName(SCOPE_NAME).setVersion(version));
    metrics.values().forEach(scope::addMetrics);
    Resource resource = Resource.newBuilder()
        .addAttributes(attribute("service.name", "acceltel-exporter"))
        .addAttributes(attribute(DeviceLabels.NODE, snapshot.node()))
        .build();
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(ResourceMetrics.newBuilder().setResource(resource).addScopeMetrics(scope))
        .build();
  }

  private static void addPoint(Map<MetricDefinition, Metric.Builder> metrics, MetricDefinition definition,
      NumberDataPoint.Builder point) {
    Metric.Builder metric = metrics.computeIfAbsent(definition, OtlpEncoder::newMetric);
    if (definition.type() == MetricType.COUNTER) {
      metric.getSumBuilder().addDataPoints(point);
    } else {
      metric.getGaugeBuilder().addDataPoints(point);
    }
  }

  private static Metric.Builder newMetric(MetricDefinition definition) {
    Metric.Builder metric = Metric.newBuilder()
        .setName(definition.type() == MetricType.COUNTER ? definition.baseName() : definition.name())
        .setDescription(definition.help())
        .setUnit(OtlpUnits.of(definition.unit()));
    if (definition.type() == MetricType.COUNTER) {
      metric.setSum(Sum.newBuilder().setIsMonotonic(true)
          .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE));
    } else {
      metric.setGauge(Gauge.newBuilder());
    }
    return metric;
  }

  private static List<KeyValue> deviceAttributes(String node, DeviceIdentity id, Attribution attribution) {
    List<KeyValue> out = new ArrayList<>(DeviceLabels.NAMES.size() + attribution.labelNames().size());
    out.add(attribute(DeviceLabels.NODE, node));
    out.add(attribute(DeviceLabels.DEVICE, Integer.toString(id.index())));
    out.add(attribute(DeviceLabels.UUID, id.uuid()));
    out.add(attribute(DeviceLabels.MODEL, id.model()));
    out.add(attribute(DeviceLabels.VENDOR, id.vendor().label()));
    for (int i = 0; i < attribution.labelNames().size(); i++) {
      out.add(attribute(attribution.labelNames().get(i), attribution.labelValues().get(i)));
    }
    return out;
  }

  private static KeyValue attribute(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }
}
