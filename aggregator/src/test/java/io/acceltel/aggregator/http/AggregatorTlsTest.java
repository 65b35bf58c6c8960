package io.acceltel.aggregator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.aggregator.Aggregator;
import io.acceltel.aggregator.AggregatorSettings;
import io.acceltel.model.config.ListenerTls;
import io.acceltel.model.testing.TestCertificates;
import io.acceltel.model.testing.TestCertificates.Issued;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The aggregator's Prometheus API over HTTPS with client certificates, as Grafana or the gateway would reach it. */
class AggregatorTlsTest {
  @TempDir
  Path dir;

  @Test
  void theQueryApiNeedsAClientCertificateTheCaSignedAndTheProbesDoNot() throws Exception {
    Issued server = TestCertificates.server(dir, "aggregator");
    Issued grafana = TestCertificates.client(dir, "grafana", "grafana");
    ListenerTls tls = new ListenerTls(server.certificatePem(), server.privateKeyPem(),
        Optional.of(grafana.certificatePem()));
    try (Aggregator aggregator = Aggregator.start(AggregatorSettings.defaults(dir.resolve("data"), Optional.empty())
        .withListen("127.0.0.1", 0).withListenTls(Optional.of(tls)))) {
      assertThat(aggregator.url()).startsWith("https://127.0.0.1:");
      String query = aggregator.url() + "/api/v1/query?query=vector(1)";

      HttpResponse<String> answered = get(client(server, grafana), query);
      assertThat(answered.statusCode()).isEqualTo(200);
      assertThat(answered.body()).contains("\"status\":\"success\"");

      HttpResponse<String> refused = get(client(server, null), query);
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.body()).contains("listen.tls-client-ca-file").doesNotContain("success");
      assertThat(get(client(server, null), aggregator.url() + "/readyz").statusCode()).isEqualTo(200);
      // Its own metrics say when the served certificate expires, under the exporter's names.
      assertThat(get(client(server, grafana), aggregator.url() + "/metrics").body())
          .contains("acceltel_listener_certificate_expiry_timestamp_seconds ",
              "acceltel_listener_certificate_last_reload_successful 1.0");

      assertThatThrownBy(() -> get(HttpClient.newHttpClient(), query.replace("https://", "http://")))
          .isInstanceOf(IOException.class);
    }
  }

  private static HttpClient client(Issued server, Issued identity) throws Exception {
    return HttpClient.newBuilder().sslContext(TestCertificates.clientContext(server, identity))
        .connectTimeout(Duration.ofSeconds(10)).build();
  }

  private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
