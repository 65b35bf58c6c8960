package io.acceltel.http.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.acceltel.http.tls.CertificateReloader.Result;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.config.ListenerTls;
import io.acceltel.model.testing.TestCertificates;
import io.acceltel.model.testing.TestCertificates.Issued;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the listener reports about its certificate: its expiry, and whether the files on disk are what it serves. */
class TlsListenerTest {
  private static final double DAY = Duration.ofDays(1).toSeconds();

  @TempDir
  Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final PrometheusRegistry registry = new PrometheusRegistry();

  @AfterEach
  void closeVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void reportsTheServedCertificatesExpiryAndFollowsARenewal() throws Exception {
    Path cert = Files.copy(TestCertificates.server(dir, "first", 2).certificatePem(), dir.resolve("tls.crt"));
    Path key = Files.copy(dir.resolve("first.key"), dir.resolve("tls.key"));
    Issued renewed = TestCertificates.server(dir, "renewed", 90);
    double now = Instant.now().getEpochSecond();

    try (TlsListener tls = started(new ListenerTls(cert, key, Optional.empty()))) {
      assertThat(gauge(MetricCatalog.LISTENER_CERTIFICATE_EXPIRY)).isCloseTo(now + 2 * DAY, within(600.0));
      assertThat(gauge(MetricCatalog.LISTENER_CERTIFICATE_RELOAD_SUCCESSFUL)).isEqualTo(1);

      // cert-manager writes the certificate first: until the key follows, the old pair (and its expiry) is served.
      Files.copy(renewed.certificatePem(), cert, StandardCopyOption.REPLACE_EXISTING);
      assertThat(tls.reloadNow()).isEqualTo(Result.FAILED);
      assertThat(gauge(MetricCatalog.LISTENER_CERTIFICATE_RELOAD_SUCCESSFUL)).isEqualTo(0);
      assertThat(gauge(MetricCatalog.LISTENER_CERTIFICATE_EXPIRY)).isCloseTo(now + 2 * DAY, within(600.0));

      Files.copy(renewed.privateKeyPem(), key, StandardCopyOption.REPLACE_EXISTING);
      assertThat(tls.reloadNow()).isEqualTo(Result.RELOADED);
      assertThat(gauge(MetricCatalog.LISTENER_CERTIFICATE_RELOAD_SUCCESSFUL)).isEqualTo(1);
      assertThat(gauge(MetricCatalog.LISTENER_CERTIFICATE_EXPIRY)).isCloseTo(now + 90 * DAY, within(600.0));
    }
  }

  @Test
  void filesPutBackAsTheyWereAreSuccessfulAgain() throws Exception {
    Issued served = TestCertificates.server(dir, "served");
    Path key = Files.copy(served.privateKeyPem(), dir.resolve("tls.key"));
    try (TlsListener tls = started(new ListenerTls(served.certificatePem(), key, Optional.empty()))) {
      Path aside = Files.move(key, dir.resolve("aside.key"));
      assertThat(tls.reloadNow()).isEqualTo(Result.FAILED);
      assertThat(gauge(MetricCatalog.LISTENER_CERTIFICATE_RELOAD_SUCCESSFUL)).isEqualTo(0);

      Files.move(aside, key);
      assertThat(tls.reloadNow()).isEqualTo(Result.UNCHANGED);
      assertThat(gauge(MetricCatalog.LISTENER_CERTIFICATE_RELOAD_SUCCESSFUL)).isEqualTo(1);
    }
  }

  @Test
  void plainHttpReportsNoCertificate() throws Exception {
    try (TlsListener tls = TlsListener.of(Optional.empty())) {
      HttpServer server = listen(tls);
      tls.watch(server, registry);
      assertThat(tls.scheme()).isEqualTo("http");
      assertThat(registry.scrape()).isEmpty();
    }
  }

  private TlsListener started(ListenerTls files) throws Exception {
    TlsListener tls = TlsListener.of(Optional.of(files), Duration.ofHours(1));
    tls.watch(listen(tls), registry);
    return tls;
  }

  private HttpServer listen(TlsListener tls) throws Exception {
    HttpServer server = vertx.createHttpServer(tls.configure(new HttpServerOptions().setHost("127.0.0.1")
        .setPort(0)));
    server.requestHandler(request -> request.response().end("ok"));
    return server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private double gauge(MetricDefinition metric) {
    MetricSnapshots scraped = registry.scrape(metric.name()::equals);
    assertThat(scraped).as(metric.name()).hasSize(1);
    return ((GaugeSnapshot) scraped.get(0)).getDataPoints().get(0).getValue();
  }
}
