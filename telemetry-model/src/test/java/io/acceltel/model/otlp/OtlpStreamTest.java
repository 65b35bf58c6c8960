package io.acceltel.model.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.snapshot.Attribution;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.acceltel.model.snapshot.Reading;
import io.acceltel.model.snapshot.Vendor;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.DataPointFlags;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A node's ticks as one stream: a series the previous tick had and this one lacks gets a staleness marker, as a
 * Prometheus scrape marks it, so a consumer drops it at once instead of keeping it for its lookback.
 */
class OtlpStreamTest {
  static final DeviceIdentity GPU0 = new DeviceIdentity(0, "GPU-0000", "NVIDIA H100 80GB HBM3", Vendor.NVIDIA);
  static final DeviceIdentity GPU1 = new DeviceIdentity(1, "GPU-0001", "NVIDIA H100 80GB HBM3", Vendor.NVIDIA);
  static final Attribution POD_A = Attribution.of(Map.of("namespace", "team-a", "pod", "job-a-0"));
  static final Attribution POD_B = Attribution.of(Map.of("namespace", "team-b", "pod", "job-b-0"));

  final OtlpEncoder.Stream stream = new OtlpEncoder("test").stream();

  static DeviceSnapshot gpu(DeviceIdentity id, Attribution holder, Reading... readings) {
    return new DeviceSnapshot(id, false, List.of(readings), holder);
  }

  static Reading power(double watts) {
    return new Reading(MetricCatalog.POWER, List.of(), watts);
  }

  static Reading xids(String xid, double count) {
    return new Reading(MetricCatalog.XID_ERRORS, List.of(xid), count);
  }

  record Point(String metric, Map<String, String> labels, boolean stale) {}

  List<Point> encode(long millis, DeviceSnapshot... devices) throws Exception {
    return encode("node-s", millis, devices);
  }

  List<Point> encode(String node, long millis, DeviceSnapshot... devices) throws Exception {
    ExportMetricsServiceRequest request = ExportMetricsServiceRequest.parseFrom(
        stream.encode(new NodeSnapshot(node, millis, List.of(devices))));
    List<Point> out = new ArrayList<>();
    for (Metric m : request.getResourceMetrics(0).getScopeMetrics(0).getMetricsList()) {
      List<NumberDataPoint> points = m.hasSum() ? m.getSum().getDataPointsList() : m.getGauge().getDataPointsList();
      for (NumberDataPoint p : points) {
        assertThat(p.getTimeUnixNano()).isEqualTo(millis * 1_000_000L);
        Map<String, String> labels = new java.util.TreeMap<>();
        p.getAttributesList().forEach(kv -> labels.put(kv.getKey(), kv.getValue().getStringValue()));
        boolean stale = (p.getFlags() & DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK_VALUE) != 0;
        assertThat(p.getValueCase()).as("a marker has no value, a sample has one")
            .isEqualTo(stale ? NumberDataPoint.ValueCase.VALUE_NOT_SET : NumberDataPoint.ValueCase.AS_DOUBLE);
        out.add(new Point(m.getName(), labels, stale));
      }
    }
    return out;
  }

  static List<Point> stale(List<Point> points) {
    return points.stream().filter(Point::stale).toList();
  }

  @Test
  void aGpuHandedToAnotherPodMarksItsOldSeriesStale() throws Exception {
    assertThat(stale(encode(1000, gpu(GPU0, POD_A, power(300), xids("79", 1)), gpu(GPU1, POD_A, power(310)))))
        .as("nothing before the first tick").isEmpty();
    assertThat(stale(encode(2000, gpu(GPU0, POD_A, power(301), xids("79", 1)), gpu(GPU1, POD_A, power(311)))))
        .as("nothing changed").isEmpty();

    List<Point> handedOver = encode(3000, gpu(GPU0, POD_B, power(302), xids("79", 1)),
        gpu(GPU1, POD_A, power(312)));
    assertThat(stale(handedOver)).extracting(Point::metric)
        .containsExactlyInAnyOrder("accelerator_power_watts", "accelerator_xid_errors");
    assertThat(stale(handedOver)).allSatisfy(p -> {
      assertThat(p.labels()).containsEntry("pod", "job-a-0").containsEntry("uuid", "GPU-0000");
    });
    assertThat(stale(handedOver)).filteredOn(p -> p.metric().equals("accelerator_xid_errors")).singleElement()
        .satisfies(p -> assertThat(p.labels()).containsEntry("xid", "79"));
    assertThat(handedOver).filteredOn(p -> !p.stale() && p.labels().get("uuid").equals("GPU-0000"))
        .allSatisfy(p -> assertThat(p.labels()).containsEntry("pod", "job-b-0"));
  }

  /** A late read is not a vanished device; a device that leaves the tick, or a reading that stops, is. */
  @Test
  void anUnreadDeviceKeepsItsSeriesAndVanishedOnesAreMarkedOnce() throws Exception {
    encode(1000, gpu(GPU0, POD_A, power(300), xids("79", 1)), gpu(GPU1, POD_A, power(310)));
    assertThat(stale(encode(2000, DeviceSnapshot.unread(GPU0), gpu(GPU1, POD_A, power(311)))))
        .as("GPU 0 was late").isEmpty();
    assertThat(stale(encode(3000, gpu(GPU0, POD_A, power(301), xids("79", 1)), gpu(GPU1, POD_A, power(312)))))
        .as("back with the same series").isEmpty();

    List<Point> fewer = encode(4000, gpu(GPU0, POD_A, power(302)));
    assertThat(stale(fewer)).extracting(p -> p.metric() + " " + p.labels().get("uuid"))
        .containsExactlyInAnyOrder("accelerator_xid_errors GPU-0000", "accelerator_power_watts GPU-0001");
    assertThat(stale(encode(5000, gpu(GPU0, POD_A, power(303))))).as("marked once").isEmpty();
  }

  /** Two nodes through one stream (a test harness, a relay): each tick is compared with its own node's last. */
  @Test
  void nodesInOneStreamAreComparedEachWithItself() throws Exception {
    assertThat(stale(encode("node-a", 1000, gpu(GPU0, POD_A, power(300))))).isEmpty();
    assertThat(stale(encode("node-b", 1000, gpu(GPU1, POD_B, power(310))))).as("node-a's GPU is not node-b's")
        .isEmpty();
    assertThat(stale(encode("node-a", 2000, gpu(GPU0, POD_A, power(301))))).isEmpty();
    assertThat(stale(encode("node-b", 2000))).extracting(p -> p.labels().get("node")).containsExactly("node-b");
  }

  @Test
  void aSingleTickOnItsOwnHasNoMarkers() throws Exception {
    OtlpEncoder encoder = new OtlpEncoder("test");
    encoder.encode(new NodeSnapshot("node-s", 1000, List.of(gpu(GPU0, POD_A, power(300)))));
    ExportMetricsServiceRequest second = encoder.request(new NodeSnapshot("node-s", 2000, List.of()));
    assertThat(second.getResourceMetrics(0).getScopeMetrics(0).getMetricsList()).isEmpty();
  }
}
