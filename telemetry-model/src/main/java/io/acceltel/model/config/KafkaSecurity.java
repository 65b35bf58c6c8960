package io.acceltel.model.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a Kafka client of acceltel (the exporter's producer, the aggregator's consumer) authenticates and encrypts:
 * the {@code kafka.security-protocol}, {@code kafka.sasl-*} and {@code kafka.tls-*} keys, shared by both so that
 * one cluster's settings read the same everywhere. The password and the client's private key come from files (a
 * mounted Kubernetes secret), never from the configuration itself, and appear in no message, log line or
 * {@link #toString()}.
 *
 * <pre>{@code
 * KafkaSecurity security = KafkaSecurity.parse(values);   // kafka.security-protocol: SASL_SSL, ...
 * producerConfig.putAll(security.clientProperties());
 * }</pre>
 */
public final class KafkaSecurity {
  public static final KafkaSecurity PLAINTEXT =
      new KafkaSecurity("PLAINTEXT", null, null, null, Optional.empty(), Optional.empty());

  static final String PROTOCOL = "kafka.security-protocol";
  static final String MECHANISM = "kafka.sasl-mechanism";
  static final String USERNAME = "kafka.sasl-username";
  static final String PASSWORD_FILE = "kafka.sasl-password-file";
  static final String CA_FILE = "kafka.tls-ca-file";
  static final String CERT_FILE = "kafka.tls-cert-file";
  static final String KEY_FILE = "kafka.tls-key-file";
  private static final List<String> PROTOCOLS = List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
  private static final Map<String, String> LOGIN_MODULES = Map.of(
      "PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule",
      "SCRAM-SHA-256", "org.apache.kafka.common.security.scram.ScramLoginModule",
      "SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule");

  private final String protocol;
  private final String mechanism;
  private final String username;
  private final String password;
  private final Optional<Path> caFile;
  private final Optional<ClientCertificate> clientCertificate;

  /** A client certificate chain and its private key, read from their PEM files at start. */
  private record ClientCertificate(Path certFile, String chain, String key) {
    @Override
    public String toString() {
      return certFile.toString();
    }
  }

  private KafkaSecurity(String protocol, String mechanism, String username, String password, Optional<Path> caFile,
      Optional<ClientCertificate> clientCertificate) {
    this.protocol = protocol;
    this.mechanism = mechanism;
    this.username = username;
    this.password = password;
    this.caFile = caFile;
    this.clientCertificate = clientCertificate;
  }

  /** Adds the keys' descriptions to a component's table of known keys. */
  public static void describe(Map<String, String> keys) {
    keys.put(PROTOCOL, "PLAINTEXT (default), SSL, SASL_PLAINTEXT or SASL_SSL");
    keys.put(MECHANISM, "with SASL_*: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512");
    keys.put(USERNAME, "with SASL_*: the user name");
    keys.put(PASSWORD_FILE, "with SASL_*: a file holding the password (a mounted secret); never logged");
    keys.put(CA_FILE, "with SSL or SASL_SSL: PEM file of the CA certificates to trust (default: the JVM's)");
    keys.put(CERT_FILE, "with SSL or SASL_SSL: PEM file of this client's certificate chain, for brokers that "
        + "require client certificates (mTLS); with " + KEY_FILE);
    keys.put(KEY_FILE, "with " + CERT_FILE + ": PEM file of the client's unencrypted PKCS#8 private key; "
        + "never logged");
  }

  /**
   * Reads the keys from a component's configuration values.
   *
   * @throws ConfigException naming the key, when a value is not allowed, a file cannot be read, or a key does not
   *     fit the protocol; the password itself is never part of the message
   */
  public static KafkaSecurity parse(Map<String, String> values) throws ConfigException {
    ConfigValues v = new ConfigValues(values);
    String protocol = v.oneOf(PROTOCOL, "PLAINTEXT", PROTOCOLS);
    boolean sasl = protocol.startsWith("SASL_");
    boolean tls = protocol.endsWith("SSL");
    if (!sasl) {
      for (String key : List.of(MECHANISM, USERNAME, PASSWORD_FILE)) {
        if (values.containsKey(key)) {
          throw ConfigException.badValue(key, values.get(key),
              "SASL settings need " + PROTOCOL + " SASL_SSL or SASL_PLAINTEXT (it is " + protocol + ")");
        }
      }
    }
    for (String key : List.of(CA_FILE, CERT_FILE, KEY_FILE)) {
      if (!tls && values.containsKey(key)) {
        throw ConfigException.badValue(key, values.get(key),
            "TLS files need " + PROTOCOL + " SSL or SASL_SSL (it is " + protocol + ")");
      }
    }
    Optional<Path> caFile = Optional.empty();
    if (tls && values.containsKey(CA_FILE)) {
      // Checked as PEM here: the client would otherwise throw at start, with a stack trace rather than the key.
      ConfigFiles.pem(CA_FILE, values.get(CA_FILE), ConfigFiles.CERTIFICATE);
      caFile = Optional.of(ConfigFiles.readable(CA_FILE, values.get(CA_FILE)));
    }
    Optional<ClientCertificate> clientCertificate = clientCertificate(values);
    if (!sasl) {
      return protocol.equals("PLAINTEXT") ? PLAINTEXT
          : new KafkaSecurity(protocol, null, null, null, caFile, clientCertificate);
    }
    required(values, protocol, MECHANISM, USERNAME, PASSWORD_FILE);
    String mechanism = v.oneOf(MECHANISM, null, LOGIN_MODULES.keySet());
    String username = v.nonBlank(USERNAME, null);
    String passwordFile = v.nonBlank(PASSWORD_FILE, null);
    String password;
    try {
      password = Files.readString(ConfigFiles.readable(PASSWORD_FILE, passwordFile), StandardCharsets.UTF_8)
          .strip();
    } catch (IOException e) {
      throw ConfigException.badValue(PASSWORD_FILE, passwordFile, "a readable file (" + e.getClass().getSimpleName()
          + ")");
    }
    if (password.isEmpty()) {
      throw ConfigException.badValue(PASSWORD_FILE, passwordFile, "a file holding the password; it is empty");
    }
    return new KafkaSecurity(protocol, mechanism, username, password, caFile, clientCertificate);
  }

  private static Optional<ClientCertificate> clientCertificate(Map<String, String> values) throws ConfigException {
    if (!ConfigFiles.certificateAndKey(values, CERT_FILE, KEY_FILE, "a client certificate")) {
      return Optional.empty();
    }
    String chain = ConfigFiles.pem(CERT_FILE, values.get(CERT_FILE), ConfigFiles.CERTIFICATE);
    String key = ConfigFiles.pem(KEY_FILE, values.get(KEY_FILE), ConfigFiles.PRIVATE_KEY);
    ConfigFiles.keyMatchesCertificate(CERT_FILE, values.get(CERT_FILE), KEY_FILE, values.get(KEY_FILE));
    return Optional.of(new ClientCertificate(Path.of(values.get(CERT_FILE)), chain, key));
  }

  private static void required(Map<String, String> values, String protocol, String... keys) throws ConfigException {
    for (String key : keys) {
      if (!values.containsKey(key)) {
        throw new ConfigException("invalid configuration: " + PROTOCOL + " " + protocol + " needs " + key
            + " as well (" + String.join(", ", keys) + ")");
      }
    }
  }

  public String protocol() {
    return protocol;
  }

  /**
   * The Kafka client properties: {@code security.protocol}, and with SASL {@code sasl.mechanism} and
   * {@code sasl.jaas.config} (Kafka's own config logging prints the latter as [hidden]), with a CA file
   * {@code ssl.truststore.type=PEM} and its location. Empty for PLAINTEXT.
   */
  public Map<String, Object> clientProperties() {
    Map<String, Object> p = new LinkedHashMap<>();
    if (protocol.equals("PLAINTEXT")) {
      return p;
    }
    p.put("security.protocol", protocol);
    if (mechanism != null) {
      p.put("sasl.mechanism", mechanism);
      p.put("sasl.jaas.config", LOGIN_MODULES.get(mechanism) + " required username=\"" + jaasQuoted(username)
          + "\" password=\"" + jaasQuoted(password) + "\";");
    }
    caFile.ifPresent(ca -> {
      p.put("ssl.truststore.type", "PEM");
      p.put("ssl.truststore.location", ca.toString());
    });
    clientCertificate.ifPresent(c -> {
      // Kafka prints ssl.keystore.key as [hidden] when it logs its configuration.
      p.put("ssl.keystore.type", "PEM");
      p.put("ssl.keystore.certificate.chain", c.chain());
      p.put("ssl.keystore.key", c.key());
    });
    return p;
  }

  /** JAAS options are double-quoted strings in which a backslash escapes the next character. */
  private static String jaasQuoted(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /** What an operator may see: the protocol, mechanism, user and CA file, never the password. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(protocol);
    if (mechanism != null) {
      s.append(' ').append(mechanism).append(" as ").append(username);
    }
    caFile.ifPresent(ca -> s.append(", CA ").append(ca));
    clientCertificate.ifPresent(c -> s.append(", client certificate ").append(c.certFile()));
    return s.toString();
  }
}
