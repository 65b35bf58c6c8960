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
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OTLP encoding of a tick built with the protobuf message builders: slow, but plainly right. The tests compare
 * {@link OtlpEncoder}'s hand-written bytes with these, byte for byte.
 */
final class ReferenceOtlpEncoder {
  private final String version;

  ReferenceOtlpEncoder(String version) {
    this.version = version;
  }

  byte[] encode(NodeSnapshot snapshot) {
    return request(snapshot).toByteArray();
  }

  ExportMetricsServiceRequest request(NodeSnapshot snapshot) {
    long timeNanos = snapshot.timestampMillis() * 1_000_000L;
    Map<MetricDefinition, Metric.Builder> metrics = new LinkedHashMap<>();
    for (DeviceSnapshot device : snapshot.devices()) {
      List<KeyValue> deviceAttributes = deviceAttributes(snapshot.node(), device.identity(), device.attribution());
      for (Reading r : device.readings()) {
        Attribution holder = device.attributionOf(r);
        NumberDataPoint.Builder point = NumberDataPoint.newBuilder()
            .setTimeUnixNano(timeNanos)
            .setAsDouble(r.value())
            .addAllAttributes(holder == device.attribution() ? deviceAttributes
                : deviceAttributes(snapshot.node(), device.identity(), holder));
        for (int i = 0; i < r.labelValues().size(); i++) {
          point.addAttributes(attribute(r.metric().labelNames().get(i), r.labelValues().get(i)));
        }
        addPoint(metrics, r.metric(), point);
      }
    }
    ScopeMetrics.Builder scope = ScopeMetrics.newBuilder()
        .setScope(InstrumentationScope.newBuilder().setName(OtlpEncoder.SCOPE_NAME).setVersion(version));
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
    Metric.Builder metric = metrics.computeIfAbsent(definition, ReferenceOtlpEncoder::newMetric);
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
