package io.acceltel.exporter.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.snapshot.Attribution;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.acceltel.model.snapshot.Reading;
import io.acceltel.model.snapshot.Vendor;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The health verdicts the monitor publishes tick after tick. */
class HealthMonitorTest {
  private static final DeviceIdentity GPU = new DeviceIdentity(0, "GPU-0", "NVIDIA H100 80GB HBM3", Vendor.NVIDIA);

  @Test
  void aTickWhoseReadWasLateKeepsTheLastVerdict() {
    HealthMonitor monitor = new HealthMonitor(Duration.ofMinutes(5), Duration.ofSeconds(1), 0);
    DeviceSnapshot remapPending = new DeviceSnapshot(GPU, false,
        List.of(new Reading(MetricCatalog.ROW_REMAP_PENDING, List.of(), 1)), Attribution.NONE);
    monitor.onSnapshot(new NodeSnapshot("node-h", 1_000, List.of(remapPending)));
    HealthState before = state(monitor);
    assertThat(before).isEqualTo(HealthState.DEGRADED);

    // Late: nothing read, not lost. Neither "healthy" (no evidence) nor "failed" (one slow read must not page).
    monitor.onSnapshot(new NodeSnapshot("node-h", 2_000, List.of(DeviceSnapshot.unread(GPU))));
    assertThat(state(monitor)).isEqualTo(before);

    monitor.onSnapshot(new NodeSnapshot("node-h", 3_000, List.of(new DeviceSnapshot(GPU, true,
        List.of(new Reading(MetricCatalog.DEVICE_LOST, List.of(), 1)), Attribution.NONE))));
    assertThat(state(monitor)).isEqualTo(HealthState.FAILED);
  }

  /**
   * A GPU lost before the exporter started (it restarted after the GPU fell off the bus) has no reader and no entry:
   * the node must not read healthy because of it.
   */
  @Test
  void devicesLeftOutAtStartFailTheNode() {
    HealthMonitor monitor = new HealthMonitor(Duration.ofMinutes(5), Duration.ofSeconds(1), 1);
    DeviceSnapshot fine = new DeviceSnapshot(GPU, false, List.of(), Attribution.NONE);
    monitor.onSnapshot(new NodeSnapshot("node-h", 1_000, List.of(fine)));
    NodeHealth node = monitor.latest().orElseThrow();
    assertThat(node.devices().get(0).state()).isEqualTo(HealthState.HEALTHY);
    assertThat(node.status()).isEqualTo(HealthState.FAILED);
    assertThat(node.reasons()).singleElement().satisfies(r -> {
      assertThat(r.code()).isEqualTo("devices_left_out");
      assertThat(r.detail()).startsWith("1 device the driver reports could not be opened and has no series");
    });
    String json = HealthEndpoint.render(node);
    assertThat(json).contains("\"status\":\"failed\",\"reasons\":[{\"code\":\"devices_left_out\"");
    HealthEndpoint endpoint = new HealthEndpoint(monitor::latest, Duration.ofSeconds(10), () -> 2_000);
    assertThat(endpoint.handle("GET", java.util.Map.of("fail_on", List.of("failed"))).status()).isEqualTo(503);

    HealthMonitor complete = new HealthMonitor(Duration.ofMinutes(5), Duration.ofSeconds(1), 0);
    complete.onSnapshot(new NodeSnapshot("node-h", 1_000, List.of(fine)));
    assertThat(complete.latest().orElseThrow().status()).isEqualTo(HealthState.HEALTHY);
    assertThat(HealthEndpoint.render(complete.latest().orElseThrow())).doesNotContain("reasons\":[{");
  }

  /**
   * A verdict nobody renews (the collection loop stuck) is not served: a pre-flight check would otherwise keep
   * placing work on the last "healthy" until the liveness probe restarts the exporter, a minute or more later.
   */
  @Test
  void aReportOlderThanTheAllowedAgeIsUnknown() {
    HealthMonitor monitor = new HealthMonitor(Duration.ofMinutes(5), Duration.ofSeconds(1), 0);
    monitor.onSnapshot(new NodeSnapshot("node-h", 1_000, List.of(new DeviceSnapshot(GPU, false, List.of(),
        Attribution.NONE))));
    long[] now = {11_000};
    HealthEndpoint endpoint = new HealthEndpoint(monitor::latest, Duration.ofSeconds(10), () -> now[0]);
    assertThat(endpoint.handle("GET", java.util.Map.of()).status()).isEqualTo(200);
    now[0] = 11_001;
    HealthEndpoint.Response stale = endpoint.handle("GET", java.util.Map.of());
    assertThat(stale.status()).isEqualTo(503);
    assertThat(stale.body()).contains("\"status\":\"unknown\"")
        .contains("the last health report is 10 s old (limit 10 s): the collection loop is stuck");
    assertThat(HealthEndpoint.maxAge(Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(10));
    assertThat(HealthEndpoint.maxAge(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(150));
  }

  private static HealthState state(HealthMonitor monitor) {
    return monitor.latest().orElseThrow().devices().get(0).state();
  }
}
