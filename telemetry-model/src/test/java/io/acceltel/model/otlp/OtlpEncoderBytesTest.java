package io.acceltel.model.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.snapshot.Attribution;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.acceltel.model.snapshot.Reading;
import io.acceltel.model.snapshot.Vendor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The hand-written protobuf bytes of {@link OtlpEncoder} against the protobuf library's own encoding of the same
 * request ({@link ReferenceOtlpEncoder}): equal byte for byte, for gauges, counters, info metrics, labels, MIG
 * instances with their own holders, empty and non-ASCII values, and the stream's staleness markers.
 */
class OtlpEncoderBytesTest {
  static final DeviceIdentity GPU0 = new DeviceIdentity(0, "GPU-8d30c9b5", "NVIDIA H100 80GB HBM3", Vendor.NVIDIA);
  static final DeviceIdentity NPU3 = new DeviceIdentity(3, "0A1B-2C3D", "Ascend910B3", Vendor.HUAWEI);
  static final String MIG_A = "MIG-4f1c2a3b-aaaa";
  static final String MIG_B = "MIG-4f1c2a3b-bbbb";

  static Attribution holder(String pod) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("namespace", "équipe-ü"); // UTF-8 of more than one byte
    labels.put("pod", pod);
    labels.put("job_name", "");
    return Attribution.of(labels);
  }

  static DeviceSnapshot gpu(Attribution holder, double watts) {
    List<Reading> readings = List.of(
        new Reading(MetricCatalog.POWER, List.of(), watts),
        new Reading(MetricCatalog.ENERGY, List.of(), 123_456.5),
        new Reading(MetricCatalog.CLOCK, List.of("sm"), 1.98e9),
        new Reading(MetricCatalog.XID_ERRORS, List.of("79"), 2),
        new Reading(MetricCatalog.DEVICE_INFO, List.of("S1", "580.159.04", "96.00", "00000000:18:00.0", "enabled"), 1),
        new Reading(MetricCatalog.MIG_INFO, List.of(MIG_A, "1", "0", "1g.10gb"), 1),
        new Reading(MetricCatalog.MIG_INFO, List.of(MIG_B, "2", "0", "1g.10gb"), 1),
        new Reading(MetricCatalog.UTILIZATION, List.of(), Double.NaN));
    return new DeviceSnapshot(GPU0, false, false, readings, holder,
        Map.of(MIG_B, holder("infer-b")));
  }

  static DeviceSnapshot npu(double watts) {
    return new DeviceSnapshot(NPU3, false, List.of(new Reading(MetricCatalog.POWER, List.of(), watts)),
        Attribution.NONE);
  }

  @Test
  void aTickIsTheBytesTheProtobufLibraryWrites() {
    NodeSnapshot tick = new NodeSnapshot("gpu-node-17", 1_795_349_049_000L,
        List.of(gpu(holder("infer-a"), 301.25), npu(88)));
    assertThat(new OtlpEncoder("0.1.0").encode(tick))
        .isEqualTo(new ReferenceOtlpEncoder("0.1.0").encode(tick));
    assertThat(new OtlpEncoder("").encode(new NodeSnapshot("n", 1000, List.of())))
        .as("an empty tick, an empty version").isEqualTo(new ReferenceOtlpEncoder("").encode(
            new NodeSnapshot("n", 1000, List.of())));
  }

  /**
   * A node far larger than a real one, each device with its own holder: lengths that take 3- and 4-byte varints (a
   * metric's points over 16 KiB, the request over 2 MiB), and more holders than the attribute cache keeps, so it
   * starts afresh mid-tick.
   */
  @Test
  void aLargeTickWithManyHoldersIsTheBytesTheProtobufLibraryWrites() {
    List<DeviceSnapshot> devices = new java.util.ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      DeviceIdentity id = new DeviceIdentity(i, "GPU-" + i, "NVIDIA H100 80GB HBM3", Vendor.NVIDIA);
      devices.add(new DeviceSnapshot(id, false, List.of(
          new Reading(MetricCatalog.POWER, List.of(), i),
          new Reading(MetricCatalog.ENERGY, List.of(), i * 1000.5),
          new Reading(MetricCatalog.CLOCK, List.of("sm"), 1.98e9)), holder("pod-" + i)));
    }
    NodeSnapshot tick = new NodeSnapshot("gpu-node-17", 1_795_349_049_000L, devices);
    OtlpEncoder encoder = new OtlpEncoder("0.1.0");
    byte[] expected = new ReferenceOtlpEncoder("0.1.0").encode(tick);
    assertThat(expected.length).isGreaterThan(1 << 21);
    assertThat(encoder.encode(tick)).isEqualTo(expected);
    assertThat(encoder.encode(tick)).as("again, from the caches").isEqualTo(expected);
  }

  /** A stream's tick without vanished series is the tick on its own (its markers are OtlpStreamTest's). */
  @Test
  void aStreamsTickWithoutMarkersIsTheTickOnItsOwn() {
    OtlpEncoder.Stream stream = new OtlpEncoder("0.1.0").stream();
    ReferenceOtlpEncoder reference = new ReferenceOtlpEncoder("0.1.0");
    for (long t = 1000; t <= 3000; t += 1000) {
      NodeSnapshot tick = new NodeSnapshot("gpu-node-17", t, List.of(gpu(holder("infer-a"), 300 + t / 1000),
          npu(80)));
      assertThat(stream.encode(tick)).as("tick at %d", t).isEqualTo(reference.encode(tick));
    }
  }
}
