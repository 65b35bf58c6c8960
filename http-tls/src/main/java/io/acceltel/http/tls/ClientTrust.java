package io.acceltel.http.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The client CA as it is now, for connections that shook hands under an older one. A reload only changes what new
 * handshakes trust; a scraper's kept-alive connection would otherwise go on being served after its CA was removed
 * from {@code listen.tls-client-ca-file} (a compromised CA, a rotated issuer), or after its certificate expired.
 * So a request's chain is checked against the current CA: once per connection and CA, and again each minute for
 * the certificate's dates.
 *
 * <pre>{@code
 * ClientTrust trust = ClientTrust.load(caFile);
 * boolean ok = trust.trusts(request.connection().sslSession());
 * }</pre>
 */
final class ClientTrust {
  private static final String VERIFIED = "acceltel.client-trust";
  private static final long RECHECK_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final X509TrustManager trustManager;

  /** What a session was last verified against, and when. */
  private record Verified(ClientTrust trust, long atNanos) {}

  private ClientTrust(X509TrustManager trustManager) {
    this.trustManager = trustManager;
  }

  /** @throws IOException when the CA file cannot be read or holds no certificate */
  static ClientTrust load(Path caFile) throws IOException {
    try (InputStream in = Files.newInputStream(caFile)) {
      KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
      anchors.load(null, null);
      int n = 0;
      for (Certificate ca : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        anchors.setCertificateEntry("ca-" + n++, ca);
      }
      if (n == 0) {
        throw new IOException(caFile + " holds no certificate");
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(anchors);
      for (TrustManager tm : factory.getTrustManagers()) {
        if (tm instanceof X509TrustManager x509) {
          return new ClientTrust(x509);
        }
      }
      throw new IOException("no X.509 trust manager for " + caFile);
    } catch (GeneralSecurityException e) {
      throw new IOException(caFile + ": " + e.getMessage(), e);
    }
  }

  /** Whether the session's client presented a chain this CA signs, valid now. */
  boolean trusts(SSLSession session) {
    if (session == null) {
      return false;
    }
    X509Certificate[] chain;
    try {
      Certificate[] peer = session.getPeerCertificates();
      if (peer.length == 0 || !(peer[0] instanceof X509Certificate)) {
        return false;
      }
      chain = new X509Certificate[peer.length];
      for (int i = 0; i < peer.length; i++) {
        chain[i] = (X509Certificate) peer[i];
      }
    } catch (SSLPeerUnverifiedException | ClassCastException e) {
      return false;
    }
    long now = System.nanoTime();
    if (session.getValue(VERIFIED) instanceof Verified v && v.trust() == this && now - v.atNanos() < RECHECK_NANOS) {
      return true;
    }
    try {
      trustManager.checkClientTrusted(chain, chain[0].getPublicKey().getAlgorithm());
    } catch (java.security.cert.CertificateException e) {
      session.removeValue(VERIFIED);
      return false;
    }
    session.putValue(VERIFIED, new Verified(this, now));
    return true;
  }
}
