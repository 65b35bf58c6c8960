package io.acceltel.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.NodeExporter;
import io.acceltel.exporter.config.ExporterConfig;
import io.acceltel.model.testing.Await;
import io.acceltel.exporter.testing.SimulatedNode;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_33_0.Metrics.LabelPair;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_33_0.Metrics.Metric;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_33_0.Metrics.MetricFamily;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_33_0.Metrics.MetricType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real exporter (simulated devices, real Vert.x listener on loopback) and reads /metrics the way
 * Prometheus does: protobuf parsed by Prometheus's own protobuf schema, text checked by promtool.
 */
class MetricsEndpointTest {
  private static final String PROTOBUF_ACCEPT =
      "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";
  private static NodeExporter exporter;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    ExporterConfig config = SimulatedNode.config(SimulatedNode.source("node-a", 4));
    exporter = NodeExporter.start(config, List.of(), line -> {});
    Await.until("the first tick", Duration.ofSeconds(10), () -> status("/readyz") == 200);
    // The energy counter comes from each device's background read, which may finish after the first tick.
    Await.until("the energy counter in a tick", Duration.ofSeconds(10),
        () -> text("/metrics").contains("accelerator_energy_joules_total{"));
  }

  @AfterAll
  static void stop() {
    exporter.close();
  }

  private static int status(String path) {
    HttpResponse<Void> response = sendOrNull(path, HttpResponse.BodyHandlers.discarding());
    return response == null ? -1 : response.statusCode();
  }

  private static String text(String path) {
    HttpResponse<String> response = sendOrNull(path, HttpResponse.BodyHandlers.ofString());
    return response == null ? "" : response.body();
  }

  /** The response, or null while the listener does not answer yet (the callers poll). */
  private static <T> HttpResponse<T> sendOrNull(String path, HttpResponse.BodyHandler<T> body) {
    try {
      return HTTP.send(request(path).build(), body);
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + exporter.port() + path));
  }

  private static Map<String, MetricFamily> scrapeProtobuf() throws Exception {
    HttpResponse<byte[]> response = HTTP.send(request("/metrics").header("Accept", PROTOBUF_ACCEPT).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        ct -> assertThat(ct).startsWith("application/vnd.google.protobuf"));
    Map<String, MetricFamily> families = new HashMap<>();
    InputStream in = new ByteArrayInputStream(response.body());
    MetricFamily family;
    while ((family = MetricFamily.parseDelimitedFrom(in)) != null) {
      families.put(family.getName(), family);
    }
    return families;
  }

  private static Map<String, String> labels(Metric metric) {
    return metric.getLabelList().stream().collect(Collectors.toMap(LabelPair::getName, LabelPair::getValue));
  }

  @Test
  void servesEveryDeviceWithTheDeviceLabelsAndCatalogUnits() throws Exception {
    Map<String, MetricFamily> families = scrapeProtobuf();
    MetricFamily power = families.get("accelerator_power_watts");
    assertThat(power.getType()).isEqualTo(MetricType.GAUGE);
    assertThat(power.getMetricList()).hasSize(4).allSatisfy(m -> {
      assertThat(labels(m)).containsEntry("node", "node-a").containsEntry("vendor", "nvidia")
          .containsKeys("device", "uuid", "model");
      assertThat(m.getGauge().getValue()).isBetween(50.0, 700.0);
    });
    assertThat(power.getMetricList()).extracting(m -> labels(m).get("device"))
        .containsExactlyInAnyOrder("0", "1", "2", "3");

    MetricFamily utilization = families.get("accelerator_utilization_ratio");
    assertThat(utilization.getMetricList()).allSatisfy(m -> assertThat(m.getGauge().getValue()).isBetween(0.0, 1.0));

    MetricFamily energy = families.get("accelerator_energy_joules_total");
    assertThat(energy.getType()).isEqualTo(MetricType.COUNTER);
    assertThat(energy.getMetricList()).allSatisfy(m -> assertThat(m.getCounter().getValue()).isPositive());

    MetricFamily reasons = families.get("accelerator_clock_event_active");
    assertThat(reasons.getMetricList()).extracting(m -> labels(m).get("reason")).contains("gpu_idle", "sw_power_cap",
        "hw_thermal_slowdown");

    MetricFamily info = families.get("accelerator_device_info");
    assertThat(info.getMetricList()).allSatisfy(m -> assertThat(labels(m)).containsKeys("serial", "driver_version",
        "pci_bus_id"));

    assertThat(families.get("accelerator_device_lost").getMetricList())
        .allSatisfy(m -> assertThat(m.getGauge().getValue()).isZero());
  }

  @Test
  void servesTheExportersOwnMetricsInTheSameRegistry() throws Exception {
    Map<String, MetricFamily> families = scrapeProtobuf();
    MetricFamily tick = families.get("acceltel_exporter_tick_duration_seconds");
    assertThat(tick.getType()).isEqualTo(MetricType.HISTOGRAM);
    assertThat(tick.getMetric(0).getHistogram().getSampleCount()).isPositive();
    assertThat(families).containsKeys("acceltel_exporter_ticks_total", "jvm_memory_used_bytes",
        "process_cpu_usage");
    assertThat(families.get("acceltel_exporter_devices_left_out").getMetric(0).getGauge().getValue()).isZero();
  }

  @Test
  void theTextFormatPassesPromtool(@TempDir Path dir) throws Exception {
    HttpResponse<String> response = HTTP.send(request("/metrics").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(response.body()).contains("# TYPE accelerator_power_watts gauge")
        .contains("# TYPE accelerator_energy_joules_total counter");
    Path file = dir.resolve("metrics.txt");
    Files.writeString(file, response.body());
    Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectInput(file.toFile())
        .redirectErrorStream(true).start();
    String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(promtool.waitFor()).as("promtool check metrics said: %s", output).isZero();
  }

  @Test
  void negotiatesOpenMetrics() throws Exception {
    HttpResponse<String> response = HTTP.send(request("/metrics")
        .header("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        ct -> assertThat(ct).startsWith("application/openmetrics-text"));
    assertThat(response.body()).contains("# UNIT accelerator_power_watts watts").endsWith("# EOF\n")
        .contains("# TYPE acceltel_exporter_ticks counter");
    assertThat(response.body().split("# EOF", -1)).as("exactly one end marker").hasSize(2);
  }

  @Test
  void compressesWithGzipWhenAsked() throws Exception {
    HttpResponse<byte[]> response = HTTP.send(request("/metrics").header("Accept-Encoding", "gzip").build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
    String text = new String(new GZIPInputStream(new ByteArrayInputStream(response.body())).readAllBytes(),
        StandardCharsets.UTF_8);
    assertThat(text).contains("accelerator_utilization_ratio{");
  }

  @Test
  void filtersByName() throws Exception {
    HttpResponse<String> response = HTTP.send(request("/metrics?name[]=accelerator_power_watts").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.body().lines().filter(l -> !l.startsWith("#")))
        .isNotEmpty().allSatisfy(l -> assertThat(l).startsWith("accelerator_power_watts{"));
    // Counters and info metrics by the names the output shows them under.
    HttpResponse<String> byShownNames = HTTP.send(request("/metrics?name[]=accelerator_energy_joules_total"
        + "&name[]=accelerator_device_info").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(byShownNames.body().lines().filter(l -> !l.startsWith("#")).map(l -> l.substring(0, l.indexOf('{'))))
        .contains("accelerator_energy_joules_total", "accelerator_device_info")
        .allSatisfy(n -> assertThat(n).isIn("accelerator_energy_joules_total", "accelerator_device_info"));
  }

  @Test
  void healthAndErrors() throws Exception {
    assertThat(status("/healthz")).isEqualTo(200);
    assertThat(status("/nope")).isEqualTo(404);
    HttpResponse<String> post = HTTP.send(request("/metrics").POST(HttpRequest.BodyPublishers.ofString("x")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  /** A query string that does not decode is the client's error: 400 with the reason, not 500 and a stack trace. */
  @Test
  void aMalformedQueryStringIsABadRequest() throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", exporter.port())) {
      socket.getOutputStream().write(("GET /metrics?name%5B%5D=%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String reply = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(reply).startsWith("HTTP/1.1 400").contains("malformed query string").contains("%XX");
    }
  }

  @Test
  void aFormatRefusedWithQZeroIsNotServed() throws Exception {
    HttpResponse<String> response = HTTP.send(
        request("/metrics").header("Accept", "application/openmetrics-text;q=0, text/plain").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        ct -> assertThat(ct).startsWith("text/plain"));
    assertThat(response.body()).doesNotContain("# EOF");
  }
}
