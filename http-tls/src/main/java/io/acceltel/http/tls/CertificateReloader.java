package io.acceltel.http.tls;

import io.acceltel.model.config.ConfigException;
import io.acceltel.model.config.ListenerTls;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.acceltel.model.catalog.MetricCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Hands the listener its PEM files again when they change, so that a certificate that cert-manager renews (or a
 * mounted Secret's update replaces) is served without a restart, before the old one expires. A change is seen by
 * content, not by time stamps, which a Secret volume's symlink swap does not keep. A replacement that is not a
 * usable pair yet (half-written, a certificate renewed before its key) is logged once and the previous certificate
 * stays in use until it is.
 */
public final class CertificateReloader implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(CertificateReloader.class.getName());

  /** What one check did. */
  public enum Result { UNCHANGED, RELOADED, FAILED }

  private final ListenerTls tls;
  private final HttpServer server;
  private final ScheduledExecutorService timer;
  private byte[] loaded;
  /** Epoch seconds of the served certificate's notAfter; NaN until it was read. Read by a metric callback. */
  private volatile double servedExpiry = Double.NaN;
  /**
   * What the last failure was about (the files' digest, or the read error), so it is logged once; null while the
   * files on disk are the ones served. Read by a metric callback.
   */
  private volatile Object lastFailure;
  /** The client CA loaded last, which requests on connections made before a reload are checked against. */
  private volatile ClientTrust clientTrust;

  CertificateReloader(ListenerTls tls, HttpServer server) throws IOException {
    this.tls = tls;
    this.server = server;
    this.loaded = digest();
    this.servedExpiry = expiry(leaf(tls.certFile()));
    this.clientTrust = tls.clientCaFile().isPresent() ? ClientTrust.load(tls.clientCaFile().get()) : null;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "acceltel-tls-reload");
      t.setDaemon(true);
      return t;
    });
  }

  /** The server's TLS settings from the files: HTTPS with the certificate, and client certificates when asked. */
  static ServerSSLOptions sslOptions(ListenerTls tls) {
    ServerSSLOptions options = new ServerSSLOptions().setKeyCertOptions(new PemKeyCertOptions()
        .setCertPath(tls.certFile().toString()).setKeyPath(tls.keyFile().toString()));
    // REQUEST, not REQUIRED: the handshake verifies any certificate offered, and TlsListener refuses the paths that
    // need one, so the kubelet's certificate-less probes still reach /healthz and /readyz.
    tls.clientCaFile().ifPresent(ca -> options.setClientAuth(ClientAuth.REQUEST)
        .setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
    return options;
  }

  void checkEvery(Duration period) {
    timer.scheduleWithFixedDelay(this::check, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Reloads the files when their content changed since the last load. */
  public synchronized Result check() {
    byte[] current;
    try {
      current = digest();
    } catch (IOException e) {
      String why = "cannot be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
      return failed(why, why);
    }
    if (Arrays.equals(current, loaded)) {
      lastFailure = null; // back to what is served: a later failure is news again
      return Result.UNCHANGED;
    }
    try {
      // A certificate renewed before its key (or the other way round) would fail every handshake: wait for both.
      tls.checkFiles();
    } catch (ConfigException e) {
      return failed(ByteBuffer.wrap(current), "are not a usable pair yet: " + e.getMessage());
    }
    X509Certificate leaf = leaf(tls.certFile());
    String outOfDate = outOfDate(leaf);
    if (outOfDate != null) {
      // A Secret restored from an old backup, or reverted by GitOps: every handshake would fail with it.
      return failed(ByteBuffer.wrap(current), "hold a certificate that " + outOfDate);
    }
    ClientTrust trust = null;
    if (tls.clientCaFile().isPresent()) {
      try {
        // Read before the server takes the files: the CA that new handshakes trust and the one requests on older
        // connections are checked against must not differ.
        trust = ClientTrust.load(tls.clientCaFile().get());
      } catch (IOException e) {
        return failed(ByteBuffer.wrap(current), "do not load (the client CA: " + e.getMessage() + ")");
      }
    }
    try {
      server.updateSSLOptions(sslOptions(tls), true).toCompletionStage().toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      return failed(ByteBuffer.wrap(current), "do not load (" + cause.getMessage() + ")");
    }
    loaded = current;
    lastFailure = null;
    servedExpiry = expiry(leaf);
    clientTrust = trust;
    LOG.info(() -> "reloaded the listener's TLS certificate from " + tls.certFile());
    return Result.RELOADED;
  }

  private Result failed(Object failure, String why) {
    if (!failure.equals(lastFailure)) {
      LOG.warning("the listener's TLS files (" + tls.certFile() + ", its key" + tls.clientCaFile()
          .map(ca -> ", " + ca).orElse("") + ") " + why + "; still serving the previous certificate");
    }
    lastFailure = failure;
    return Result.FAILED;
  }

  /** The client CA now in force, or null without one. */
  ClientTrust clientTrust() {
    return clientTrust;
  }

  /** When the certificate being served expires, in epoch seconds (NaN if its file could not be parsed). */
  public double servedExpiry() {
    return servedExpiry;
  }

  /** False while the files on disk changed and do not load, so the previous certificate is still served. */
  public boolean lastReloadSuccessful() {
    return lastFailure == null;
  }

  /**
   * The file's first certificate, the listener's own (ahead of any intermediates); null, logged, when it cannot be
   * parsed.
   */
  private static X509Certificate leaf(Path certificateFile) {
    try (InputStream in = Files.newInputStream(certificateFile)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (IOException | CertificateException | ClassCastException e) {
      LOG.warning("cannot read the certificate in " + certificateFile + " (" + e.getMessage() + "); "
          + MetricCatalog.LISTENER_CERTIFICATE_EXPIRY.name() + " is NaN until the next reload");
      return null;
    }
  }

  /** Why the certificate cannot be served now (expired, not yet valid), or null when it can or was not read. */
  private static String outOfDate(X509Certificate leaf) {
    if (leaf == null) {
      return null; // the pair loaded: a date that cannot be read is the expiry gauge's to report
    }
    try {
      leaf.checkValidity();
      return null;
    } catch (java.security.cert.CertificateExpiredException e) {
      return "expired (" + e.getMessage() + ")";
    } catch (java.security.cert.CertificateNotYetValidException e) {
      return "is not valid yet (" + e.getMessage() + ")";
    }
  }

  /** The certificate's notAfter in epoch seconds; NaN when it was not read. */
  private static double expiry(X509Certificate leaf) {
    return leaf == null ? Double.NaN : leaf.getNotAfter().getTime() / 1000.0;
  }

  /** A digest of every file's content; the key's bytes are not kept. */
  private byte[] digest() throws IOException {
    List<Path> files = new ArrayList<>(List.of(tls.certFile(), tls.keyFile()));
    tls.clientCaFile().ifPresent(files::add);
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Path file : files) {
        sha.update(Files.readAllBytes(file));
      }
      return sha.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
