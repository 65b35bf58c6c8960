package io.acceltel.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.config.ExporterConfig;
import io.acceltel.exporter.testing.Await;
import io.acceltel.model.config.ConfigSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real exporter on simulated devices with {@code metrics.exclude}: the excluded families are gone from
 * {@code /metrics}, everything else is served, and device health still reacts to the readings that were left out.
 */
class MetricExclusionEndToEndTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void excludedFamiliesAreNotServedButHealthStillUsesThem() throws Exception {
    ConfigSource source = new ConfigSource()
        .put("devices", "simulated", "test")
        .put("simulated.devices", "2", "test")
        .put("interval", "100ms", "test")
        .put("listen", "127.0.0.1:0", "test")
        .put("metrics.exclude", "accelerator_nvlink_*, accelerator_clock_event_active", "--exclude-metrics");
    ExporterConfig config = ExporterConfig.parse(source, List.of("nvml", "simulated"), List.of("native", "dcgm"));
    List<String> announced = new ArrayList<>();
    try (NodeExporter exporter = NodeExporter.start(config, List.of(), announced::add)) {
      Await.until("a tick with the energy counter", WAIT,
          () -> send(exporter, "GET", "/metrics").body().contains("accelerator_energy_joules_total{"));
      String metrics = send(exporter, "GET", "/metrics").body();
      assertThat(metrics).doesNotContain("accelerator_nvlink_").doesNotContain("accelerator_clock_event_active")
          .contains("accelerator_power_watts{").contains("accelerator_clock_hertz{")
          .contains("accelerator_device_info{");
      assertThat(announced).anySatisfy(line -> assertThat(line).startsWith(
          "leaving out of /metrics and Kafka: accelerator_nvlink_*,accelerator_clock_event_active ("));

      // Thermal slowdown is a clock event reason: excluded from /metrics, still seen by device health.
      assertThat(send(exporter, "POST", "/simulate/thermal?device=1&on=true").statusCode()).isEqualTo(200);
      Await.until("device 1 degraded in the metric", WAIT, () -> send(exporter, "GET", "/metrics").body().matches(
          "(?s).*accelerator_health_state\\{[^}]*device=\"1\"[^}]*state=\"degraded\"[^}]*} 1.*"));
      assertThat(send(exporter, "GET", "/metrics").body()).doesNotContain("accelerator_clock_event_active");
    }
  }

  private static HttpResponse<String> send(NodeExporter exporter, String method, String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + exporter.port() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
