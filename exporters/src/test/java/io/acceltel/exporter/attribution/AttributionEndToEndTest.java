package io.acceltel.exporter.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.NodeExporter;
import io.acceltel.exporter.config.ExporterConfig;
import io.acceltel.model.testing.Await;
import io.acceltel.exporter.testing.SimulatedNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo path: a simulated-devices exporter serves attributed series on /metrics. */
class AttributionEndToEndTest {
  @Test
  void metricsOfASimulatedNodeCarryPodJobTenantAndUserLabels() throws Exception {
    ExporterConfig config = SimulatedNode.config(SimulatedNode.source("node-a", 8));
    HttpClient http = HttpClient.newHttpClient();
    try (NodeExporter exporter = NodeExporter.start(config, List.of(), line -> {})) {
      HttpRequest scrape = HttpRequest.newBuilder(URI.create(exporter.metricsUrl())).build();
      Await.until("the first tick", Duration.ofSeconds(10),
          () -> exporter.exposition().latest().isPresent());

      String text = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();

      List<String> allocated = text.lines().filter(l -> l.startsWith("accelerator_allocated{")).toList();
      assertThat(allocated).hasSize(8);
      assertThat(allocated.stream().filter(l -> l.endsWith(" 1.0") || l.endsWith(" 1"))).hasSize(6);
      assertThat(allocated.stream().filter(l -> l.endsWith(" 0.0") || l.endsWith(" 0"))).hasSize(2);
      String power = text.lines().filter(l -> l.startsWith("accelerator_power_watts{") && l.contains("device=\"0\""))
          .findFirst().orElseThrow();
      assertThat(power).contains("namespace=\"team-llm\"", "pod=\"tj-a15787703687180288704327-worker-0\"",
          "container=\"pytorch\"", "tenant_id=\"12027394361880000\"",
          "user_id=\"bx57d89f0a785e427d88a6a2d8573d86a4\"", "job_name=\"tj-a15787703687180288704327\"",
          "queue=\"default\"", "task=\"worker\"");
      String freePower = text.lines().filter(l -> l.startsWith("accelerator_power_watts{")
          && l.contains("device=\"7\"")).findFirst().orElseThrow();
      assertThat(freePower).doesNotContain("pod=", "tenant_id=");
    }
  }
}
