package io.acceltel.model.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import io.acceltel.model.catalog.DeviceLabels;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.catalog.MetricType;
import io.acceltel.model.snapshot.Attribution;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.acceltel.model.snapshot.Reading;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.DataPointFlags;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
 * <p>The bytes are written directly in protobuf's wire format, in the field order the protobuf library writes (the
 * tests compare them with the library's, byte for byte): a device's labels and each metric's name, help and unit
 * are the same bytes tick after tick, so they are encoded once and copied, instead of building some 1,400 point
 * messages with their attribute messages every second on the tick thread.
 *
 * <pre>{@code
 * byte[] payload = new OtlpEncoder("0.1.0").encode(snapshot);
 * producer.send(new ProducerRecord<>("acceltel.metrics.v1", snapshot.node(), payload));
 * }</pre>
 */
public final class OtlpEncoder {
  public static final String SCOPE_NAME = "io.acceltel.exporter";
  /** Cached encodings beyond this many are dropped and made again: a bound, not an expected size. */
  private static final int MAX_CACHED = 4096;
  private static final int NO_RECORDED_VALUE = DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK_VALUE;

  private final byte[] scope;
  /** Per metric: its name, description and unit fields. */
  private final Map<MetricDefinition, byte[]> metricHeaders = new ConcurrentHashMap<>();
  /** Per device and holder: the point attributes naming the device and its holder. */
  private final Map<DeviceAttributes, byte[]> deviceAttributes = new ConcurrentHashMap<>();
  /** Per metric and label values: the point attributes of the metric's own labels. */
  private final Map<MetricLabels, byte[]> labelAttributes = new ConcurrentHashMap<>();

  private record DeviceAttributes(String node, DeviceIdentity device, Attribution holder) {}

  private record MetricLabels(MetricDefinition metric, List<String> values) {}

  public OtlpEncoder(String version) {
    ProtoWriter w = new ProtoWriter(64);
    w.string(1, SCOPE_NAME, false).string(2, version, false);
    this.scope = w.toByteArray();
  }

  /** One tick on its own, without staleness markers: see {@link Stream} for a node's sequence of ticks. */
  public byte[] encode(NodeSnapshot snapshot) {
    return encode(snapshot, null);
  }

  /** The tick as a protobuf message, for tools and tests. */
  public ExportMetricsServiceRequest request(NodeSnapshot snapshot) {
    try {
      return ExportMetricsServiceRequest.parseFrom(encode(snapshot));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("the encoder wrote a request protobuf cannot read", e);
    }
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
   * Ticks are compared with the previous tick of the same node, so one stream may carry several nodes; it keeps the
   * last tick's series of every node it has seen (the exporter's sink sees one), so it is not meant for a relay of
   * an unbounded, changing set of nodes.
   */
  public final class Stream {
    /** Per node, the last tick's series per device. */
    private final Map<String, Map<DeviceIdentity, DeviceSeries>> previousByNode = new HashMap<>();

    private Stream() {}

    public byte[] encode(NodeSnapshot snapshot) {
      return OtlpEncoder.this.encode(snapshot, this);
    }
  }

  /** A series of one tick: the attribution is the holder's (a MIG instance's own, on its series). */
  private record SeriesKey(MetricDefinition metric, Attribution holder, List<String> labelValues) {}

  /** One device's series in a tick, in reading order, with the attributes that name each in a marker. */
  private record DeviceSeries(List<SeriesKey> keys, List<byte[]> deviceAttributes, List<byte[]> labelAttributes) {
    static final DeviceSeries NONE = new DeviceSeries(List.of(), List.of(), List.of());

    DeviceSeries(int capacity) {
      this(new ArrayList<>(capacity), new ArrayList<>(capacity), new ArrayList<>(capacity));
    }

    void add(SeriesKey key, byte[] device, byte[] labels) {
      keys.add(key);
      deviceAttributes.add(device);
      labelAttributes.add(labels);
    }
  }

  private byte[] encode(NodeSnapshot snapshot, Stream stream) {
    long timeNanos = snapshot.timestampMillis() * 1_000_000L;
    Map<MetricDefinition, ProtoWriter> points = new LinkedHashMap<>();
    Map<DeviceIdentity, DeviceSeries> previous = stream == null ? Map.of()
        : stream.previousByNode.getOrDefault(snapshot.node(), Map.of());
    Map<DeviceIdentity, DeviceSeries> seen = stream == null ? null : new HashMap<>();
    for (DeviceSnapshot device : snapshot.devices()) {
      if (stream != null && device.unread()) {
        DeviceSeries kept = previous.get(device.identity());
        if (kept != null) {
          seen.put(device.identity(), kept);
        }
        continue;
      }
      DeviceSeries series = stream == null ? null : new DeviceSeries(device.readings().size());
      byte[] own = deviceAttributes(snapshot.node(), device.identity(), device.attribution());
      for (Reading r : device.readings()) {
        Attribution holder = device.attributionOf(r);
        byte[] names = holder == device.attribution() ? own
            : deviceAttributes(snapshot.node(), device.identity(), holder); // a MIG instance's own holder
        byte[] labels = labelAttributes(r);
        writePoint(points.computeIfAbsent(r.metric(), m -> new ProtoWriter(512)), timeNanos, r.value(), names,
            labels, false);
        if (series != null) {
          series.add(new SeriesKey(r.metric(), holder, r.labelValues()), names, labels);
        }
      }
      if (stream != null) {
        markVanished(previous.get(device.identity()), series, timeNanos, points);
        seen.put(device.identity(), series);
      }
    }
    if (stream != null) {
      previous.forEach((device, series) -> {
        if (!seen.containsKey(device)) {
          markVanished(series, DeviceSeries.NONE, timeNanos, points); // a device no longer in the tick
        }
      });
    }
    byte[] request = request(snapshot.node(), points);
    if (stream != null) {
      // Only once encoded: a tick that failed must not take its markers with it.
      stream.previousByNode.put(snapshot.node(), seen);
    }
    return request;
  }

  /** Adds to {@code points} a marker for each series of one device that {@code before} has and {@code now} lacks. */
  private static void markVanished(DeviceSeries before, DeviceSeries now, long timeNanos,
      Map<MetricDefinition, ProtoWriter> points) {
    // Most ticks name the same series in the same order: one comparison in order, no hashing.
    if (before == null || before.keys().equals(now.keys())) {
      return;
    }
    Set<SeriesKey> present = new HashSet<>(now.keys());
    for (int i = 0; i < before.keys().size(); i++) {
      SeriesKey key = before.keys().get(i);
      if (!present.contains(key)) {
        writePoint(points.computeIfAbsent(key.metric(), m -> new ProtoWriter(512)), timeNanos, 0,
            before.deviceAttributes().get(i), before.labelAttributes().get(i), true);
      }
    }
  }

  /**
   * One {@code NumberDataPoint} as field 1 of its Gauge or Sum: {@code time_unix_nano} (3), {@code as_double} (4),
   * the attributes (7) and, for a staleness marker, {@code flags} (8) instead of a value.
   */
  private static void writePoint(ProtoWriter out, long timeNanos, double value, byte[] names, byte[] labels,
      boolean stale) {
    int length = 9 + (stale ? 2 : 9) + names.length + labels.length;
    out.tag(1, ProtoWriter.LENGTH_DELIMITED).varint(length).fixed64(3, timeNanos);
    if (!stale) {
      out.fixed64(4, Double.doubleToRawLongBits(value));
    }
    out.raw(names).raw(labels);
    if (stale) {
      out.uint(8, NO_RECORDED_VALUE);
    }
  }

  /**
   * The request around the points: every message's length is known from the points' sizes, so the request is
   * written once into an array of its exact size, each metric's points copied once (a tick is some 400 KB).
   */
  private byte[] request(String node, Map<MetricDefinition, ProtoWriter> points) {
    ProtoWriter resource = new ProtoWriter(128);
    keyValue(resource, 1, "service.name", "acceltel-exporter");
    keyValue(resource, 1, DeviceLabels.NODE, node);
    long scopeMetricsSize = fieldSize(1, scope.length);
    for (Map.Entry<MetricDefinition, ProtoWriter> e : points.entrySet()) {
      scopeMetricsSize += fieldSize(2, metricSize(e.getKey(), e.getValue()));
    }
    long resourceMetricsSize = fieldSize(1, resource.size()) + fieldSize(2, scopeMetricsSize);
    ProtoWriter out = new ProtoWriter(Math.toIntExact(fieldSize(1, resourceMetricsSize)));
    out.tag(1, ProtoWriter.LENGTH_DELIMITED).varint(resourceMetricsSize);
    out.message(1, resource);
    out.tag(2, ProtoWriter.LENGTH_DELIMITED).varint(scopeMetricsSize);
    out.bytesField(1, scope, 0, -1);
    points.forEach((definition, data) -> {
      out.tag(2, ProtoWriter.LENGTH_DELIMITED).varint(metricSize(definition, data));
      out.raw(metricHeader(definition));
      if (definition.type() == MetricType.COUNTER) {
        out.tag(7, ProtoWriter.LENGTH_DELIMITED).varint(data.size() + SUM_FIELDS);
        out.raw(data);
        out.uint(2, AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE_VALUE).uint(3, 1);
      } else {
        out.message(5, data);
      }
    });
    return out.buffer();
  }

  /** A Sum's fields after its points: {@code aggregation_temporality} and {@code is_monotonic}, 2 bytes each. */
  private static final int SUM_FIELDS = 4;

  /** The size of a {@code Metric} message: header, then its Gauge (5) or Sum (7) holding the points. */
  private long metricSize(MetricDefinition definition, ProtoWriter data) {
    int inner = data.size() + (definition.type() == MetricType.COUNTER ? SUM_FIELDS : 0);
    return metricHeader(definition).length + fieldSize(5, inner);
  }

  /** The size of a length-delimited field of {@code length} bytes, tag and length included. */
  private static long fieldSize(int field, long length) {
    return ProtoWriter.varintSize((long) field << 3 | ProtoWriter.LENGTH_DELIMITED) + ProtoWriter.varintSize(length)
        + length;
  }

  private byte[] metricHeader(MetricDefinition definition) {
    return metricHeaders.computeIfAbsent(definition, d -> {
      ProtoWriter w = new ProtoWriter(256);
      w.string(1, d.type() == MetricType.COUNTER ? d.baseName() : d.name(), false)
          .string(2, d.help(), false)
          .string(3, OtlpUnits.of(d.unit()), false);
      return w.toByteArray();
    });
  }

  private byte[] deviceAttributes(String node, DeviceIdentity id, Attribution holder) {
    DeviceAttributes key = new DeviceAttributes(node, id, holder);
    byte[] cached = deviceAttributes.get(key);
    if (cached != null) {
      return cached;
    }
    ProtoWriter w = new ProtoWriter(256);
    keyValue(w, 7, DeviceLabels.NODE, node);
    keyValue(w, 7, DeviceLabels.DEVICE, Integer.toString(id.index()));
    keyValue(w, 7, DeviceLabels.UUID, id.uuid());
    keyValue(w, 7, DeviceLabels.MODEL, id.model());
    keyValue(w, 7, DeviceLabels.VENDOR, id.vendor().label());
    for (int i = 0; i < holder.labelNames().size(); i++) {
      keyValue(w, 7, holder.labelNames().get(i), holder.labelValues().get(i));
    }
    return remember(deviceAttributes, key, w.toByteArray());
  }

  private byte[] labelAttributes(Reading r) {
    if (r.labelValues().isEmpty()) {
      return NO_LABELS;
    }
    MetricLabels key = new MetricLabels(r.metric(), r.labelValues());
    byte[] cached = labelAttributes.get(key);
    if (cached != null) {
      return cached;
    }
    ProtoWriter w = new ProtoWriter(64);
    for (int i = 0; i < r.labelValues().size(); i++) {
      keyValue(w, 7, r.metric().labelNames().get(i), r.labelValues().get(i));
    }
    return remember(labelAttributes, key, w.toByteArray());
  }

  private static final byte[] NO_LABELS = new byte[0];

  private static <K> byte[] remember(Map<K, byte[]> cache, K key, byte[] bytes) {
    if (cache.size() >= MAX_CACHED) {
      cache.clear(); // label churn (pods come and go): start afresh rather than grow
    }
    cache.put(key, bytes);
    return bytes;
  }

  /** A {@code KeyValue} with a string {@code AnyValue} as field {@code field}. */
  private static void keyValue(ProtoWriter out, int field, String key, String value) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    int anyValue = 1 + ProtoWriter.varintSize(v.length) + v.length; // string_value: in a oneof, written if empty
    int keyField = k.length == 0 ? 0 : 1 + ProtoWriter.varintSize(k.length) + k.length;
    out.tag(field, ProtoWriter.LENGTH_DELIMITED).varint(keyField + 1 + ProtoWriter.varintSize(anyValue) + anyValue);
    if (k.length > 0) {
      out.bytesField(1, k, 0, -1);
    }
    out.tag(2, ProtoWriter.LENGTH_DELIMITED).varint(anyValue);
    out.bytesField(1, v, 0, -1);
  }
}
