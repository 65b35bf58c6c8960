package io.acceltel.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.model.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListenerTlsTest {
  @TempDir
  Path dir;
  private String cert;
  private String key;
  private String keyBody;

  @BeforeEach
  void certificate() throws Exception {
    TestCertificates.Issued server = TestCertificates.server(dir, "exporter");
    cert = server.certificatePem().toString();
    key = server.privateKeyPem().toString();
    keyBody = Files.readString(server.privateKeyPem()).split("\n")[1];
  }

  @Test
  void noKeysMeansPlainHttp() throws Exception {
    assertThat(ListenerTls.parse(Map.of("listen", "0.0.0.0:9835"))).isEmpty();
  }

  @Test
  void aCertificateAndKeyServeHttpsAndAClientCaAsksForClientCertificates() throws Exception {
    ListenerTls tls = ListenerTls.parse(Map.of("listen.tls-cert-file", cert, "listen.tls-key-file", key))
        .orElseThrow();
    assertThat(tls.certFile()).isEqualTo(Path.of(cert));
    assertThat(tls.clientCaFile()).isEmpty();
    assertThat(tls.toString()).contains(cert).doesNotContain(key).doesNotContain(keyBody);

    String ca = TestCertificates.client(dir, "scrapers", "scrapers").certificatePem().toString();
    ListenerTls mutual = ListenerTls.parse(Map.of("listen.tls-cert-file", cert, "listen.tls-key-file", key,
        "listen.tls-client-ca-file", ca)).orElseThrow();
    assertThat(mutual.clientCaFile()).contains(Path.of(ca));
    assertThat(mutual.toString()).contains("client certificates signed by " + ca + " required");
  }

  @Test
  void eachMistakeNamesItsKey() throws Exception {
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
        .hasMessageNotContaining(keyBody);
    assertThatThrownBy(() -> ListenerTls.parse(Map.of("listen.tls-cert-file", cert, "listen.tls-key-file", cert)))
        .hasMessageContaining("listen.tls-key-file").hasMessageContaining("PKCS#8")
        .hasMessageContaining("spec.privateKey.encoding: PKCS8");
  }

  /** CA bundles carry comment lines in UTF-8 (a CA's name with accents): the PEM around them must still be read. */
  @Test
  void aPemFileWithNonAsciiCommentsIsRead() throws Exception {
    Path bundle = dir.resolve("bundle.pem");
    Files.writeString(bundle, "# Főtanúsítvány — root CA\n"
        + Files.readString(TestCertificates.client(dir, "scrapers", "scrapers").certificatePem()),
        java.nio.charset.StandardCharsets.UTF_8);
    assertThat(ListenerTls.parse(Map.of("listen.tls-cert-file", cert, "listen.tls-key-file", key,
        "listen.tls-client-ca-file", bundle.toString())).orElseThrow().clientCaFile()).contains(bundle);
  }

  @Test
  void aKeyOfAnotherCertificateIsRefusedAtStart() throws Exception {
    String otherKey = TestCertificates.server(dir, "other").privateKeyPem().toString();
    assertThatThrownBy(() -> ListenerTls.parse(Map.of("listen.tls-cert-file", cert, "listen.tls-key-file", otherKey)))
        .hasMessageContaining("listen.tls-key-file = '" + otherKey + "'")
        .hasMessageContaining("the private key of the certificate in listen.tls-cert-file")
        .hasMessageNotContaining(keyBody);
    String garbled = Files.writeString(dir.resolve("garbled.key"),
        "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n").toString();
    assertThatThrownBy(() -> ListenerTls.parse(Map.of("listen.tls-cert-file", cert, "listen.tls-key-file", garbled)))
        .hasMessageContaining("listen.tls-key-file").hasMessageContaining("does not parse");
  }
}
