package io.acceltel.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.config.ExporterConfig;
import io.acceltel.model.testing.Await;
import io.acceltel.exporter.testing.SimulatedNode;
import io.acceltel.exporter.testing.ExporterHttp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real exporter on simulated devices with {@code metrics.exclude}: the excluded families are gone from
 * {@code /metrics}, everything else is served, and device health still reacts to the readings that were left out.
 */
class MetricExclusionEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void excludedFamiliesAreNotServedButHealthStillUsesThem() throws Exception {
    ExporterConfig config = SimulatedNode.config(SimulatedNode.source("node-x", 2)
        .put("metrics.exclude", "accelerator_nvlink_*, accelerator_clock_event_active", "--exclude-metrics"));
    List<String> announced = new ArrayList<>();
    try (NodeExporter exporter = NodeExporter.start(config, List.of(), announced::add)) {
      Await.until("a tick with the energy counter", WAIT,
          () -> ExporterHttp.send(exporter, "GET", "/metrics").body().contains("accelerator_energy_joules_total{"));
      String metrics = ExporterHttp.send(exporter, "GET", "/metrics").body();
      assertThat(metrics).doesNotContain("accelerator_nvlink_").doesNotContain("accelerator_clock_event_active")
          .contains("accelerator_power_watts{").contains("accelerator_clock_hertz{")
          .contains("accelerator_device_info{");
      assertThat(announced).anySatisfy(line -> assertThat(line).startsWith(
          "leaving out of /metrics and Kafka: accelerator_nvlink_*,accelerator_clock_event_active ("));

      // Thermal slowdown is a clock event reason: excluded from /metrics, still seen by device health.
      assertThat(ExporterHttp.send(exporter, "POST", "/simulate/thermal?device=1&on=true").statusCode())
          .isEqualTo(200);
      Await.until("device 1 degraded in the metric", WAIT, () -> ExporterHttp.send(exporter, "GET", "/metrics")
          .body().matches("(?s).*accelerator_health_state\\{[^}]*device=\"1\"[^}]*state=\"degraded\"[^}]*} 1.*"));
      assertThat(ExporterHttp.send(exporter, "GET", "/metrics").body())
          .doesNotContain("accelerator_clock_event_active");
    }
  }
}
