package io.acceltel.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.model.testing.Await;
import io.acceltel.http.tls.CertificateReloader.Result;
import io.acceltel.http.tls.TlsListener;
import io.acceltel.model.testing.TestCertificates;
import io.acceltel.model.testing.TestCertificates.Issued;
import io.acceltel.model.config.ListenerTls;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listener over HTTPS, and with client certificates, against the JDK's own HTTPS client. */
class MetricsHttpServerTlsTest {
  @TempDir
  Path dir;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private Issued server;

  @BeforeEach
  void oneMetric() throws Exception {
    Gauge.builder().name("tls_test_value").help("a value").register(registry).set(42);
    server = TestCertificates.server(dir, "exporter");
  }

  @Test
  void servesHttpsOnlyWithTheConfiguredCertificate() throws Exception {
    ListenerTls tls = new ListenerTls(server.certificatePem(), server.privateKeyPem(), Optional.empty());
    try (MetricsHttpServer http = MetricsHttpServer.start("127.0.0.1", 0, TlsListener.of(Optional.of(tls)),
        registry, () -> true, Map.of())) {
      HttpResponse<String> scrape = get(client(null), "https://127.0.0.1:" + http.port() + "/metrics");
      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.body()).contains("tls_test_value 42.0",
          "acceltel_listener_certificate_expiry_timestamp_seconds ",
          "acceltel_listener_certificate_last_reload_successful 1.0");

      // Plain HTTP to the TLS port gets no metrics.
      assertThatThrownBy(() -> get(HttpClient.newHttpClient(), "http://127.0.0.1:" + http.port() + "/metrics"))
          .isInstanceOf(IOException.class);
      // A client that does not trust the certificate does not connect.
      assertThatThrownBy(() -> get(HttpClient.newHttpClient(), "https://127.0.0.1:" + http.port() + "/metrics"))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void withAClientCaEveryPathButTheProbesNeedsACertificateThatCaSigned() throws Exception {
    Issued prometheus = TestCertificates.client(dir, "prometheus", "prometheus");
    Issued stranger = TestCertificates.client(dir, "stranger", "prometheus");
    ListenerTls tls = new ListenerTls(server.certificatePem(), server.privateKeyPem(),
        Optional.of(prometheus.certificatePem()));
    try (MetricsHttpServer http = MetricsHttpServer.start("127.0.0.1", 0, TlsListener.of(Optional.of(tls)),
        registry, () -> true, Map.of())) {
      String base = "https://127.0.0.1:" + http.port();
      HttpResponse<String> trusted = get(client(prometheus), base + "/metrics");
      assertThat(trusted.statusCode()).isEqualTo(200);
      assertThat(trusted.body()).contains("tls_test_value 42.0");

      HttpClient anonymous = client(null);
      HttpResponse<String> refused = get(anonymous, base + "/metrics");
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.body()).contains("client certificate", "listen.tls-client-ca-file")
          .doesNotContain("tls_test_value");
      assertThat(get(anonymous, base + "/").statusCode()).isEqualTo(403);
      // The kubelet's HTTPS probes present no certificate.
      assertThat(get(anonymous, base + "/readyz").statusCode()).isEqualTo(200);
      assertThat(get(anonymous, base + "/healthz").statusCode()).isEqualTo(200);

      // A certificate the CA did not sign fails the handshake, whatever its name.
      assertThatThrownBy(() -> get(client(stranger), base + "/metrics")).isInstanceOf(IOException.class);
    }
  }

  /**
   * A CA removed from listen.tls-client-ca-file (compromised, rotated) must stop a scraper whose connection was
   * made under it: a kept-alive connection does not shake hands again, so the request is checked against the CA
   * now in force.
   */
  @Test
  void aConnectionFromBeforeTheClientCaChangedIsCheckedAgainstTheNewCa() throws Exception {
    Issued prometheus = TestCertificates.client(dir, "prometheus", "prometheus");
    Issued grafana = TestCertificates.client(dir, "grafana", "grafana");
    Path ca = dir.resolve("client-ca.pem");
    java.nio.file.Files.copy(prometheus.certificatePem(), ca);
    ListenerTls tls = new ListenerTls(server.certificatePem(), server.privateKeyPem(), Optional.of(ca));
    try (MetricsHttpServer http = MetricsHttpServer.start("127.0.0.1", 0,
        TlsListener.of(Optional.of(tls), Duration.ofHours(1)), registry, () -> true, Map.of())) {
      String url = "https://127.0.0.1:" + http.port() + "/metrics";
      HttpClient kept = client(prometheus);
      assertThat(get(kept, url).statusCode()).isEqualTo(200);

      java.nio.file.Files.copy(grafana.certificatePem(), ca, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      assertThat(http.reloadCertificates()).isEqualTo(Result.RELOADED);
      HttpResponse<String> after = get(kept, url);
      assertThat(after.statusCode()).as("the same connection, its CA gone").isEqualTo(403);
      assertThat(after.body()).doesNotContain("tls_test_value");
      assertThat(get(client(grafana), url).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aRenewedCertificateIsServedWithoutARestart() throws Exception {
    Renewal renewal = renewal();
    try (MetricsHttpServer http = MetricsHttpServer.start("127.0.0.1", 0,
        TlsListener.of(Optional.of(renewal.tls()), Duration.ofMillis(50)), registry, () -> true, Map.of())) {
      String url = "https://127.0.0.1:" + http.port() + "/metrics";
      assertThat(get(client(null, server), url).statusCode()).isEqualTo(200);

      renewal.renewCertificate();
      renewal.renewKey();
      // Each attempt is a new client, so a new handshake: it sees the certificate in use now.
      Await.until("the renewed certificate served", Duration.ofSeconds(20), () -> connects(renewal.next(), url));
      assertThatThrownBy(() -> get(client(null, server), url)).isInstanceOf(IOException.class);
    }
  }

  @Test
  void aCertificateRenewedBeforeItsKeyWaitsForTheKey() throws Exception {
    Renewal renewal = renewal();
    try (MetricsHttpServer http = MetricsHttpServer.start("127.0.0.1", 0,
        TlsListener.of(Optional.of(renewal.tls()), Duration.ofHours(1)), registry, () -> true, Map.of())) {
      String url = "https://127.0.0.1:" + http.port() + "/metrics";
      assertThat(http.reloadCertificates()).isEqualTo(Result.UNCHANGED);

      renewal.renewCertificate();
      assertThat(http.reloadCertificates()).isEqualTo(Result.FAILED);
      assertThat(get(client(null, server), url).statusCode()).as("the previous pair still serves").isEqualTo(200);

      renewal.renewKey();
      assertThat(http.reloadCertificates()).isEqualTo(Result.RELOADED);

      // A key file that is gone for a moment (a volume being remounted) changes nothing that is served.
      Path moved = Files.move(renewal.key(), dir.resolve("moved.key"));
      assertThat(http.reloadCertificates()).isEqualTo(Result.FAILED);
      Files.move(moved, renewal.key());
      assertThat(http.reloadCertificates()).as("the same pair as loaded").isEqualTo(Result.UNCHANGED);
      assertThat(get(client(null, renewal.next()), url).statusCode()).isEqualTo(200);
    }
  }

  /** The server's files where a renewal overwrites them, and the certificate the renewal brings. */
  private record Renewal(Path cert, Path key, Issued next, ListenerTls tls) {
    void renewCertificate() throws IOException {
      Files.copy(next.certificatePem(), cert, StandardCopyOption.REPLACE_EXISTING);
    }

    void renewKey() throws IOException {
      Files.copy(next.privateKeyPem(), key, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private Renewal renewal() throws Exception {
    return renewalTo(TestCertificates.server(dir, "renewed"));
  }

  private Renewal renewalTo(Issued next) throws Exception {
    Path cert = Files.copy(server.certificatePem(), dir.resolve("tls.crt"));
    Path key = Files.copy(server.privateKeyPem(), dir.resolve("tls.key"));
    return new Renewal(cert, key, next, new ListenerTls(cert, key, Optional.empty()));
  }

  /**
   * A Secret restored from an old backup (or reverted by GitOps) puts an expired pair in place: serving it would fail
   * every handshake, so the previous certificate stays and the reload counts as failed.
   */
  @Test
  void anExpiredPairIsNotTakenOnReload() throws Exception {
    Renewal restored = renewalTo(TestCertificates.expiredServer(dir, "old-backup"));
    try (MetricsHttpServer http = MetricsHttpServer.start("127.0.0.1", 0,
        TlsListener.of(Optional.of(restored.tls()), Duration.ofHours(1)), registry, () -> true, Map.of())) {
      String url = "https://127.0.0.1:" + http.port() + "/metrics";
      restored.renewCertificate();
      restored.renewKey();
      assertThat(http.reloadCertificates()).isEqualTo(Result.FAILED);
      HttpResponse<String> scrape = get(client(null, server), url);
      assertThat(scrape.statusCode()).as("the previous certificate still served").isEqualTo(200);
      assertThat(scrape.body()).contains("acceltel_listener_certificate_last_reload_successful 0.0");
    }
  }

  private boolean connects(Issued trusted, String url) {
    try {
      return get(client(null, trusted), url).statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }

  private HttpClient client(Issued identity) throws Exception {
    return client(identity, server);
  }

  /** An HTTPS client that trusts only {@code serverCertificate} and presents {@code identity}'s, if any. */
  private HttpClient client(Issued identity, Issued serverCertificate) throws Exception {
    return HttpClient.newBuilder().sslContext(TestCertificates.clientContext(serverCertificate, identity))
        .connectTimeout(Duration.ofSeconds(10)).build();
  }

  private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
