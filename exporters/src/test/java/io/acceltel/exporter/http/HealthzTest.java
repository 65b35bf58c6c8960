package io.acceltel.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** /healthz is the kubelet's liveness probe: it fails with the reason once a restart is what would help. */
class HealthzTest {
  @Test
  void answers503WithTheReasonWhileThereIsALivenessProblem() throws Exception {
    AtomicReference<Optional<String>> problem = new AtomicReference<>(Optional.empty());
    try (MetricsHttpServer http = MetricsHttpServer.start("127.0.0.1", 0, new PrometheusRegistry(), () -> true)
        .liveness(problem::get)) {
      HttpClient client = HttpClient.newHttpClient();
      HttpRequest healthz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/healthz")).build();
      assertThat(client.send(healthz, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

      problem.set(Optional.of("nvml: the driver was upgraded"));
      HttpResponse<String> unhealthy = client.send(healthz, HttpResponse.BodyHandlers.ofString());
      assertThat(unhealthy.statusCode()).isEqualTo(503);
      assertThat(unhealthy.body()).isEqualTo("unhealthy: nvml: the driver was upgraded\n");
    }
  }
}
