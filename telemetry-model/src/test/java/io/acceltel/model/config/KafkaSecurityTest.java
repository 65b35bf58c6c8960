package io.acceltel.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.model.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaSecurityTest {
  private static final String SECRET = "s3cr\"et\\pw";

  @TempDir
  Path dir;

  private Path file(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }

  private Map<String, String> sasl(String protocol) throws Exception {
    Map<String, String> v = new HashMap<>();
    v.put("kafka.security-protocol", protocol);
    v.put("kafka.sasl-mechanism", "SCRAM-SHA-512");
    v.put("kafka.sasl-username", "exporter");
    v.put("kafka.sasl-password-file", file("password", SECRET + "\n").toString());
    return v;
  }

  @Test
  void plaintextIsTheDefaultAndAddsNoClientProperties() throws Exception {
    KafkaSecurity security = KafkaSecurity.parse(Map.of());
    assertThat(security).isSameAs(KafkaSecurity.PLAINTEXT);
    assertThat(security.clientProperties()).isEmpty();
  }

  @Test
  void saslOverTlsReadsThePasswordFromItsFileAndQuotesItForJaas() throws Exception {
    Map<String, String> v = sasl("SASL_SSL");
    Path ca = file("ca.pem", "-----BEGIN CERTIFICATE-----\n");
    v.put("kafka.tls-ca-file", ca.toString());
    Map<String, Object> p = KafkaSecurity.parse(v).clientProperties();
    assertThat(p).containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"exporter\" password=\"s3cr\\\"et\\\\pw\";")
        .containsEntry("ssl.truststore.type", "PEM")
        .containsEntry("ssl.truststore.location", ca.toString());

    v.put("kafka.tls-ca-file", file("ca.txt", "not a certificate\n").toString());
    assertThatThrownBy(() -> KafkaSecurity.parse(v)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("invalid configuration: kafka.tls-ca-file = '")
        .hasMessageContaining("a PEM file with a '-----BEGIN CERTIFICATE-----' block");
  }

  @Test
  void thePasswordIsInNoMessageAndNotInToString() throws Exception {
    KafkaSecurity security = KafkaSecurity.parse(sasl("SASL_PLAINTEXT"));
    assertThat(security.toString()).isEqualTo("SASL_PLAINTEXT SCRAM-SHA-512 as exporter").doesNotContain("s3cr");

    Map<String, String> badMechanism = sasl("SASL_SSL");
    badMechanism.put("kafka.sasl-mechanism", "GSSAPI");
    assertThatThrownBy(() -> KafkaSecurity.parse(badMechanism))
        .hasMessage("invalid configuration: kafka.sasl-mechanism = 'GSSAPI': allowed values are PLAIN, "
            + "SCRAM-SHA-256, SCRAM-SHA-512")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr"));
  }

  @Test
  void aMissingOrEmptyPasswordFileNamesTheKeyAndThePath() throws Exception {
    Map<String, String> missing = sasl("SASL_SSL");
    missing.put("kafka.sasl-password-file", dir.resolve("nope").toString());
    assertThatThrownBy(() -> KafkaSecurity.parse(missing)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("invalid configuration: kafka.sasl-password-file = '" + dir.resolve("nope") + "'")
        .hasMessageContaining("does not exist or cannot be read");

    Map<String, String> empty = sasl("SASL_SSL");
    empty.put("kafka.sasl-password-file", file("empty", "\n").toString());
    assertThatThrownBy(() -> KafkaSecurity.parse(empty)).hasMessageContaining("it is empty");
  }

  /** The password itself where its file was meant (a secretKeyRef instead of a mount): never printed. */
  @Test
  void aSecretPutWhereItsFileBelongsIsNotPrinted() throws Exception {
    for (String secret : List.of("hunter2", "/Ab3+xY9/zz", "a\u0000b", "-----BEGIN PRIVATE KEY-----\nMIIE\n")) {
      Map<String, String> v = sasl("SASL_SSL");
      v.put("kafka.sasl-password-file", secret);
      assertThatThrownBy(() -> KafkaSecurity.parse(v)).isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("invalid configuration: kafka.sasl-password-file (value not shown")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret));
    }
  }

  @Test
  void aClientCertificateNeedsItsKeyAndBothArePem() throws Exception {
    TestCertificates.Issued client = TestCertificates.client(dir, "client", "acceltel-exporter");
    Path cert = client.certificatePem();
    Path key = client.privateKeyPem();
    String keyBody = Files.readString(key).split("\n")[1];
    Map<String, String> v = new HashMap<>(Map.of("kafka.security-protocol", "SSL",
        "kafka.tls-cert-file", cert.toString(), "kafka.tls-key-file", key.toString()));
    KafkaSecurity security = KafkaSecurity.parse(v);
    assertThat(security.clientProperties()).containsEntry("ssl.keystore.type", "PEM")
        .containsEntry("ssl.keystore.certificate.chain", Files.readString(cert))
        .containsEntry("ssl.keystore.key", Files.readString(key));
    assertThat(security.toString()).isEqualTo("SSL, client certificate " + cert).doesNotContain(keyBody);

    // Another certificate's key: the pair would fail every handshake, so it is refused at start.
    v.put("kafka.tls-key-file", TestCertificates.client(dir, "other", "other").privateKeyPem().toString());
    assertThatThrownBy(() -> KafkaSecurity.parse(v)).hasMessageContaining("kafka.tls-key-file")
        .hasMessageContaining("belongs to another certificate");

    v.remove("kafka.tls-key-file");
    assertThatThrownBy(() -> KafkaSecurity.parse(v)).hasMessageContaining("a client certificate needs both "
        + "kafka.tls-cert-file and kafka.tls-key-file");
    Path rsa = file("rsa.key", "-----BEGIN RSA PRIVATE KEY-----\nsecret-key-bytes\n-----END RSA PRIVATE KEY-----\n");
    v.put("kafka.tls-key-file", rsa.toString());
    assertThatThrownBy(() -> KafkaSecurity.parse(v)).hasMessageContaining("openssl pkcs8 -topk8 -nocrypt")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret-key"));
  }

  @Test
  void saslNeedsItsThreeKeysAndTheyNeedASaslProtocol() throws Exception {
    Map<String, String> noUser = sasl("SASL_SSL");
    noUser.remove("kafka.sasl-username");
    assertThatThrownBy(() -> KafkaSecurity.parse(noUser)).hasMessage("invalid configuration: "
        + "kafka.security-protocol SASL_SSL needs kafka.sasl-username as well (kafka.sasl-mechanism, "
        + "kafka.sasl-username, kafka.sasl-password-file)");

    Map<String, String> notSasl = sasl("SSL");
    assertThatThrownBy(() -> KafkaSecurity.parse(notSasl)).hasMessageContaining("SASL settings need "
        + "kafka.security-protocol SASL_SSL or SASL_PLAINTEXT (it is SSL)");

    assertThatThrownBy(() -> KafkaSecurity.parse(Map.of("kafka.tls-ca-file", "/etc/ca.pem")))
        .hasMessageContaining("TLS files need kafka.security-protocol SSL or SASL_SSL (it is PLAINTEXT)");
    assertThatThrownBy(() -> KafkaSecurity.parse(Map.of("kafka.security-protocol", "TLS")))
        .hasMessage("invalid configuration: kafka.security-protocol = 'TLS': allowed values are PLAINTEXT, "
            + "SASL_PLAINTEXT, SASL_SSL, SSL");
  }
}
