package io.acceltel.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.otlp.OtlpEncoder;
import io.acceltel.model.series.Labels;
import io.acceltel.model.snapshot.Attribution;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.acceltel.model.snapshot.Vendor;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OtlpMetricsDecoderTest {
  private static final long T = 1_795_349_049_000L;
  private final List<Labels> series = new ArrayList<>();
  private final OtlpMetricsDecoder decoder = new OtlpMetricsDecoder(labels -> {
    int i = series.indexOf(labels);
    if (i >= 0) {
      return i;
    }
    series.add(labels);
    return series.size() - 1;
  }, 600_000, 1 << 20);
  private final SampleBatch batch = new SampleBatch();

  private static NodeSnapshot tick(long t, double power) {
    DeviceSnapshot.Builder d = DeviceSnapshot.builder(new DeviceIdentity(3, "GPU-abc", "NVIDIA H100", Vendor.NVIDIA));
    d.set(MetricCatalog.POWER, power);
    d.set(MetricCatalog.ENERGY, 1234.5);
    d.set(MetricCatalog.CLOCK, "sm", 1.98e9);
    d.set(MetricCatalog.DEVICE_INFO, List.of("S1", "580.159.04", "96.00", "00000000:18:00.0", "disabled"), 1);
    return new NodeSnapshot("node-1", t, List.of(d.build()));
  }

  private Labels labelsOf(int i) {
    return series.get(batch.ref(i));
  }

  @Test
  void decodesTheExportersPayloadIntoPrometheusSeries() throws Exception {
    decoder.decode(new OtlpEncoder("test").encode(tick(T, 512.25)), batch);
    assertThat(batch.size()).isEqualTo(4);
    assertThat(series).extracting(Labels::metricName).containsExactlyInAnyOrder("accelerator_power_watts",
        "accelerator_energy_joules_total", "accelerator_clock_hertz", "accelerator_device_info");
    for (int i = 0; i < batch.size(); i++) {
      assertThat(batch.timestamp(i)).isEqualTo(T);
      assertThat(labelsOf(i).get("node")).isEqualTo("node-1");
      assertThat(labelsOf(i).get("device")).isEqualTo("3");
      assertThat(labelsOf(i).get("uuid")).isEqualTo("GPU-abc");
      assertThat(labelsOf(i).get("vendor")).isEqualTo("nvidia");
      if (labelsOf(i).metricName().equals("accelerator_power_watts")) {
        assertThat(batch.value(i)).isEqualTo(512.25);
      }
      if (labelsOf(i).metricName().equals("accelerator_clock_hertz")) {
        assertThat(labelsOf(i).get("clock")).isEqualTo("sm");
      }
    }
  }

  /** A series the storage has no room for: its samples are counted as refused, and it is asked for again next time. */
  @Test
  void aRefusedSeriesIsCountedNotAppendedAndNotCached() throws Exception {
    List<Labels> asked = new ArrayList<>();
    OtlpMetricsDecoder full = new OtlpMetricsDecoder(labels -> {
      asked.add(labels);
      return labels.metricName().equals("accelerator_power_watts") ? SeriesResolver.REFUSED : asked.size();
    }, 600_000, 1 << 20);
    full.decode(new OtlpEncoder("test").encode(tick(T, 500)), batch);
    assertThat(batch.refused()).isEqualTo(1);
    assertThat(batch.size()).isEqualTo(3);
    for (int i = 0; i < batch.size(); i++) {
      assertThat(batch.ref(i)).isNotEqualTo(SeriesResolver.REFUSED);
    }
    full.decode(new OtlpEncoder("test").encode(tick(T + 1000, 501)), batch);
    assertThat(asked).extracting(Labels::metricName).filteredOn("accelerator_power_watts"::equals).hasSize(2);
    assertThat(asked).hasSize(5);
  }

  @Test
  void aKnownSeriesIsResolvedFromTheCacheWithoutANewRef() throws Exception {
    decoder.decode(new OtlpEncoder("test").encode(tick(T, 500)), batch);
    int refs = series.size();
    decoder.decode(new OtlpEncoder("test").encode(tick(T + 1000, 501)), batch);
    assertThat(series).hasSize(refs);
    assertThat(decoder.cachedSeries()).isEqualTo(refs);
  }

  private static byte[] gaugeRequest(NumberDataPoint point, String name) {
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName(name)
            .setGauge(Gauge.newBuilder().addDataPoints(point))))).build().toByteArray();
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  /** A record whose metric name or attribute is beyond the label bounds is refused whole, naming the bound. */
  @Test
  void namesAndAttributesBeyondTheBoundsRefuseTheRecord() {
    NumberDataPoint p = NumberDataPoint.newBuilder().setTimeUnixNano(T * 1_000_000).setAsDouble(1).build();
    assertThatThrownBy(() -> decoder.decode(gaugeRequest(p, "m".repeat(20_000)), batch))
        .isInstanceOf(PoisonRecordException.class)
        .hasMessageContaining("the value of label '__name__' is 20000 characters, more than 16384");
    NumberDataPoint longValue = p.toBuilder().addAttributes(kv("pod", "p".repeat(20_000))).build();
    assertThatThrownBy(() -> decoder.decode(gaugeRequest(longValue, "m"), batch))
        .hasMessageContaining("the value of label 'pod' is 20000 characters");
    assertThat(series).isEmpty();
  }

  @Test
  void sanitizesNamesAndMarksNoRecordedValueAsStale() throws Exception {
    NumberDataPoint p = NumberDataPoint.newBuilder().setTimeUnixNano(T * 1_000_000).setAsInt(7).setFlags(1)
        .addAttributes(kv("k8s.pod.name", "p-1")).addAttributes(kv("empty", "")).build();
    decoder.decode(gaugeRequest(p, "gpu.util"), batch);
    assertThat(labelsOf(0).metricName()).isEqualTo("gpu_util");
    assertThat(labelsOf(0).get("k8s_pod_name")).isEqualTo("p-1");
    assertThat(labelsOf(0).get("empty")).as("empty values are absent labels").isNull();
    assertThat(StaleMarker.is(batch.value(0))).isTrue();
  }

  /**
   * The exporter's stream: a GPU handed from one pod to another. The second tick carries the old series once more,
   * as staleness markers, so a query right after the handover does not count the GPU under both pods.
   */
  @Test
  void theExportersStalenessMarkersEndTheOldSeriesOfAHandedOverGpu() throws Exception {
    OtlpEncoder.Stream stream = new OtlpEncoder("test").stream();
    DeviceIdentity gpu = new DeviceIdentity(0, "GPU-abc", "NVIDIA H100", Vendor.NVIDIA);
    DeviceSnapshot.Builder power = DeviceSnapshot.builder(gpu);
    power.set(MetricCatalog.POWER, 300);
    DeviceSnapshot before = power.build().withAttribution(Attribution.of(java.util.Map.of("pod", "job-a-0")));
    decoder.decode(stream.encode(new NodeSnapshot("node-1", T, List.of(before))), batch);
    power = DeviceSnapshot.builder(gpu);
    power.set(MetricCatalog.POWER, 310);
    DeviceSnapshot after = power.build().withAttribution(Attribution.of(java.util.Map.of("pod", "job-b-0")));
    SampleBatch second = new SampleBatch();
    decoder.decode(stream.encode(new NodeSnapshot("node-1", T + 1000, List.of(after))), second);

    assertThat(second.size()).isEqualTo(2);
    for (int i = 0; i < second.size(); i++) {
      Labels labels = series.get(second.ref(i));
      assertThat(second.timestamp(i)).isEqualTo(T + 1000);
      if (labels.get("pod").equals("job-a-0")) {
        assertThat(StaleMarker.is(second.value(i))).as("the old pod's series ends").isTrue();
      } else {
        assertThat(second.value(i)).isEqualTo(310);
      }
    }
  }

  @Test
  void skipsHistogramsAndDeltaSumsAndCountsThem() throws Exception {
    Metric histogram = Metric.newBuilder().setName("h").setHistogram(Histogram.newBuilder()
        .addDataPoints(HistogramDataPoint.newBuilder().setTimeUnixNano(T * 1_000_000))).build();
    Metric delta = Metric.newBuilder().setName("d").setSum(Sum.newBuilder()
        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
        .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(T * 1_000_000).setAsDouble(1))).build();
    byte[] payload = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(histogram).addMetrics(delta))).build().toByteArray();
    decoder.decode(payload, batch);
    assertThat(batch.size()).isZero();
    assertThat(batch.skipped()).isEqualTo(2);
  }

  /**
   * A record refused at its last point must leave no series behind: created for the first points, they would sit
   * empty in the head, count against max-series and be listed until the next block cut.
   */
  @Test
  void aRecordRefusedHalfWayCreatesNoSeries() throws Exception {
    NumberDataPoint good = NumberDataPoint.newBuilder().setTimeUnixNano(T * 1_000_000).setAsDouble(1)
        .addAttributes(kv("gpu", "0")).build();
    NumberDataPoint noTime = NumberDataPoint.newBuilder().setAsDouble(2).addAttributes(kv("gpu", "1")).build();
    byte[] poison = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("m")
            .setGauge(Gauge.newBuilder().addDataPoints(good).addDataPoints(noTime))))).build().toByteArray();
    assertThatThrownBy(() -> decoder.decode(poison, batch)).isInstanceOf(PoisonRecordException.class);
    assertThat(series).as("no series resolved for a refused record").isEmpty();

    decoder.decode(gaugeRequest(good, "m"), batch);
    decoder.decode(gaugeRequest(good, "m"), batch);
    assertThat(series).as("resolved once, then cached").hasSize(1);
    assertThat(batch.size()).isEqualTo(1);
    assertThat(labelsOf(0).get("gpu")).isEqualTo("0");
  }

  @Test
  void refusesPoisonByKind() throws Exception {
    NumberDataPoint noTime = NumberDataPoint.newBuilder().setAsDouble(1).build();
    assertThatThrownBy(() -> decoder.decode(gaugeRequest(noTime, "m"), batch))
        .isInstanceOfSatisfying(PoisonRecordException.class, e -> assertThat(e.kind()).isEqualTo(
            PoisonKind.BAD_TIMESTAMP));
    NumberDataPoint emptyKey = NumberDataPoint.newBuilder().setTimeUnixNano(T * 1_000_000).addAttributes(kv("", "x"))
        .build();
    assertThatThrownBy(() -> decoder.decode(gaugeRequest(emptyKey, "m"), batch))
        .isInstanceOfSatisfying(PoisonRecordException.class, e -> assertThat(e.kind()).isEqualTo(
            PoisonKind.BAD_LABELS));
    NumberDataPoint ok = NumberDataPoint.newBuilder().setTimeUnixNano(T * 1_000_000).build();
    assertThatThrownBy(() -> decoder.decode(gaugeRequest(ok, ""), batch))
        .isInstanceOfSatisfying(PoisonRecordException.class, e -> assertThat(e.kind()).isEqualTo(
            PoisonKind.BAD_LABELS));
    // protobuf's builders refuse invalid UTF-8, so the two bytes of a marker value are replaced in the encoding.
    byte[] badUtf8 = gaugeRequest(NumberDataPoint.newBuilder().setTimeUnixNano(T * 1_000_000)
        .addAttributes(kv("pod", "Zq")).build(), "m");
    for (int i = 0; i + 1 < badUtf8.length; i++) {
      if (badUtf8[i] == 'Z' && badUtf8[i + 1] == 'q') {
        badUtf8[i] = (byte) 0xC3;
        badUtf8[i + 1] = 0x28;
      }
    }
    assertThatThrownBy(() -> decoder.decode(badUtf8, batch))
        .isInstanceOfSatisfying(PoisonRecordException.class, e -> assertThat(e.kind()).isEqualTo(
            PoisonKind.BAD_LABELS)).hasMessageContaining("not valid UTF-8");
    NumberDataPoint utf8 = NumberDataPoint.newBuilder().setTimeUnixNano(T * 1_000_000)
        .addAttributes(kv("pod", "trainer-é")).build();
    decoder.decode(gaugeRequest(utf8, "m"), batch);
    assertThat(series.get(batch.ref(0)).get("pod")).isEqualTo("trainer-é");
    byte[] valid = new OtlpEncoder("t").encode(tick(T, 1));
    byte[] truncated = java.util.Arrays.copyOf(valid, valid.length / 2);
    assertThatThrownBy(() -> decoder.decode(truncated, batch))
        .isInstanceOfSatisfying(PoisonRecordException.class, e -> assertThat(e.kind()).isEqualTo(
            PoisonKind.UNDECODABLE));
  }

  /** Random and truncated bytes never escape as anything but a poison verdict, and never hang. */
  @Test
  void fuzzedPayloadsAreDecodedOrRefusedNeverCrash() {
    Random random = new Random(20261123);
    byte[] valid = new OtlpEncoder("t").encode(tick(T, 1));
    int poison = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] input;
      switch (i % 3) {
        case 0 -> {
          input = new byte[random.nextInt(512)];
          random.nextBytes(input);
        }
        case 1 -> input = java.util.Arrays.copyOf(valid, random.nextInt(valid.length));
        default -> {
          input = valid.clone();
          for (int flips = 0; flips < 1 + random.nextInt(8); flips++) {
            input[random.nextInt(input.length)] = (byte) random.nextInt(256);
          }
        }
      }
      try {
        decoder.decode(input, batch);
      } catch (PoisonRecordException e) {
        poison++;
      }
    }
    assertThat(poison).isPositive();
  }
}
