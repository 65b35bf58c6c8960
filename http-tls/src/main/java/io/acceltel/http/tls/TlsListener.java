package io.acceltel.http.tls;

import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.config.ListenerTls;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * What a component's Vert.x listener does with the {@code listen.tls-*} keys: HTTPS with the certificate; with a
 * client CA, every path but {@code /healthz} and {@code /readyz} refused (403) to a client without a certificate
 * that CA signed, since the kubelet's HTTPS probes present none; and the certificate reloaded when it is renewed.
 * Without TLS every method is a no-op, so a listener calls them unconditionally.
 *
 * <pre>{@code
 * TlsListener tls = TlsListener.of(config.tls());
 * HttpServer server = vertx.createHttpServer(tls.configure(new HttpServerOptions()...));
 * server.requestHandler(request -> { if (!tls.refused(request)) handle(request); });
 * server.listen()...;  tls.watch(server, registry);  ...  tls.close();
 * }</pre>
 */
public final class TlsListener implements AutoCloseable {
  /** How often the files are compared with what was loaded: renewals come days before expiry. */
  public static final Duration CERTIFICATE_CHECK = Duration.ofSeconds(30);

  private final Optional<ListenerTls> tls;
  private final Duration certificateCheck;
  private volatile CertificateReloader reloader;

  private TlsListener(Optional<ListenerTls> tls, Duration certificateCheck) {
    this.tls = tls;
    this.certificateCheck = certificateCheck;
  }

  public static TlsListener of(Optional<ListenerTls> tls) {
    return new TlsListener(tls, CERTIFICATE_CHECK);
  }

  /** @param certificateCheck how often the files are checked for a renewed certificate */
  public static TlsListener of(Optional<ListenerTls> tls, Duration certificateCheck) {
    return new TlsListener(tls, certificateCheck);
  }

  public boolean enabled() {
    return tls.isPresent();
  }

  public String scheme() {
    return tls.isPresent() ? "https" : "http";
  }

  /** Turns HTTPS (and client-certificate requests) on in the listener's options. */
  public HttpServerOptions configure(HttpServerOptions options) {
    tls.ifPresent(t -> {
      ServerSSLOptions ssl = CertificateReloader.sslOptions(t);
      options.setSsl(true).setKeyCertOptions(ssl.getKeyCertOptions()).setTrustOptions(ssl.getTrustOptions())
          .setClientAuth(ssl.getClientAuth());
    });
    return options;
  }

  /**
   * Answers 403 and returns true when client certificates are required, the path is not a health probe, and the
   * client presented none that the client CA signs now: the handshake checked the certificate against the CA of
   * its time, and a kept-alive connection outlives a change of CA or the certificate's expiry.
   */
  public boolean refused(HttpServerRequest request) {
    if (tls.flatMap(ListenerTls::clientCaFile).isEmpty() || isHealthProbe(request.path())
        || trustedNow(request)) {
      return false;
    }
    request.response().setStatusCode(403).putHeader("Content-Type", "text/plain")
        .end("a client certificate signed by the CA in listen.tls-client-ca-file is required for "
            + request.path() + " (only /healthz and /readyz are open without one)\n");
    return true;
  }

  /**
   * Starts comparing the files with what the started server loaded, reloading a renewed pair, and reports the
   * served certificate's expiry and whether the last reload worked in {@code registry}.
   *
   * @throws IOException naming the files when they cannot be read; the caller closes its server
   */
  public void watch(HttpServer server, PrometheusRegistry registry) throws IOException {
    if (tls.isPresent()) {
      CertificateReloader started;
      try {
        started = new CertificateReloader(tls.get(), server);
      } catch (IOException e) {
        throw new IOException("cannot read the listener's TLS files: " + e.getMessage(), e);
      }
      gauge(MetricCatalog.LISTENER_CERTIFICATE_EXPIRY, started::servedExpiry).register(registry);
      gauge(MetricCatalog.LISTENER_CERTIFICATE_RELOAD_SUCCESSFUL,
          () -> started.lastReloadSuccessful() ? 1 : 0).register(registry);
      started.checkEvery(certificateCheck);
      reloader = started;
    }
  }

  private static GaugeWithCallback.Builder gauge(MetricDefinition metric, DoubleSupplier value) {
    return GaugeWithCallback.builder().name(metric.name()).help(metric.help())
        .callback(callback -> callback.call(value.getAsDouble()));
  }

  /** Checks the files now, as the periodic check does. */
  public CertificateReloader.Result reloadNow() {
    CertificateReloader current = reloader;
    if (current == null) {
      throw new IllegalStateException("not watching: no TLS, or watch() was not called");
    }
    return current.check();
  }

  /** Describes the listener for the start-up line: the certificate and whether clients need one, never the key. */
  @Override
  public String toString() {
    return tls.map(ListenerTls::toString).orElse("plain HTTP");
  }

  @Override
  public void close() {
    CertificateReloader current = reloader;
    if (current != null) {
      current.close();
    }
  }

  private static boolean isHealthProbe(String path) {
    return path.equals("/healthz") || path.equals("/readyz");
  }

  private boolean trustedNow(HttpServerRequest request) {
    CertificateReloader current = reloader;
    ClientTrust trust = current == null ? null : current.clientTrust();
    // Before watch(): only the handshake's check, which a server not yet listening for long cannot have outlived.
    return trust == null ? presentedCertificate(request) : trust.trusts(request.connection().sslSession());
  }

  private static boolean presentedCertificate(HttpServerRequest request) {
    SSLSession session = request.connection().sslSession();
    if (session == null) {
      return false;
    }
    try {
      return session.getPeerCertificates().length > 0;
    } catch (SSLPeerUnverifiedException e) {
      return false;
    }
  }
}
