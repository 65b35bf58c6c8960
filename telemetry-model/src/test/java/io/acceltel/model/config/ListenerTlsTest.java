package io.acceltel.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListenerTlsTest {
  private static final String KEY_CONTENT = "-----BEGIN PRIVATE KEY-----\nTUlJRXZRSUJBREFOQmdrcWhraUc5\n"
      + "-----END PRIVATE KEY-----\n";

  @TempDir
  Path dir;

  private String certificate(String name) throws Exception {
    return Files.writeString(dir.resolve(name), "-----BEGIN CERTIFICATE-----\nTUlJQ\n-----END CERTIFICATE-----\n")
        .toString();
  }

  private String key() throws Exception {
    return Files.writeString(dir.resolve("tls.key"), KEY_CONTENT).toString();
  }

  @Test
  void noKeysMeansPlainHttp() throws Exception {
    assertThat(ListenerTls.parse(Map.of("listen", "0.0.0.0:9835"))).isEmpty();
  }

  @Test
  void aCertificateAndKeyServeHttpsAndAClientCaAsksForClientCertificates() throws Exception {
    String cert = certificate("tls.crt");
    String key = key();
    ListenerTls tls = ListenerTls.parse(Map.of("listen.tls-cert-file", cert, "listen.tls-key-file", key))
        .orElseThrow();
    assertThat(tls.certFile()).isEqualTo(Path.of(cert));
    assertThat(tls.clientCaFile()).isEmpty();
    assertThat(tls.toString()).contains(cert).doesNotContain(key).doesNotContain("TUlJRXZR");

    String ca = certificate("ca.crt");
    ListenerTls mutual = ListenerTls.parse(Map.of("listen.tls-cert-file", cert, "listen.tls-key-file", key,
        "listen.tls-client-ca-file", ca)).orElseThrow();
    assertThat(mutual.clientCaFile()).contains(Path.of(ca));
    assertThat(mutual.toString()).contains("client certificates signed by " + ca + " required");
  }

  @Test
  void eachMistakeNamesItsKey() throws Exception {
    String cert = certificate("tls.crt");
    String key = key();
    assertThatThrownBy(() -> ListenerTls.parse(Map.of("listen.tls-cert-file", cert)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("listen.tls-cert-file")
        .hasMessageContaining("needs both listen.tls-cert-file and listen.tls-key-file");
    assertThatThrownBy(() -> ListenerTls.parse(Map.of("listen.tls-client-ca-file", cert)))
        .hasMessageContaining("listen.tls-client-ca-file").hasMessageContaining("need a TLS listener");
    assertThatThrownBy(() -> ListenerTls.parse(Map.of("listen.tls-cert-file", dir.resolve("missing.crt").toString(),
        "listen.tls-key-file", key)))
        .hasMessageContaining("listen.tls-cert-file").hasMessageContaining("does not exist or cannot be read");
    // The key where the certificate belongs, and the other way round.
    assertThatThrownBy(() -> ListenerTls.parse(Map.of("listen.tls-cert-file", key, "listen.tls-key-file", key)))
        .hasMessageContaining("listen.tls-cert-file").hasMessageContaining("BEGIN CERTIFICATE")
        .hasMessageNotContaining("TUlJRXZR");
    assertThatThrownBy(() -> ListenerTls.parse(Map.of("listen.tls-cert-file", cert, "listen.tls-key-file", cert)))
        .hasMessageContaining("listen.tls-key-file").hasMessageContaining("PKCS#8");
  }
}
