package io.acceltel.model.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * TLS for a component's HTTP listener: the {@code listen.tls-*} keys. With a certificate and key the listener
 * speaks HTTPS only; with a client CA as well, every path but the health probes also requires a client certificate
 * that CA signed (mutual TLS, as Prometheus presents with {@code tls_config.cert_file}). The files are checked at
 * start and named in errors; the private key's content appears in no message, log line or {@link #toString()}.
 *
 * <pre>{@code
 * Optional<ListenerTls> tls = ListenerTls.parse(values);   // listen.tls-cert-file, listen.tls-key-file, ...
 * }</pre>
 *
 * @param certFile PEM certificate chain the listener presents
 * @param keyFile PEM unencrypted PKCS#8 private key of that certificate
 * @param clientCaFile PEM CA certificates that sign the clients' certificates; empty: no client certificates asked
 */
public record ListenerTls(Path certFile, Path keyFile, Optional<Path> clientCaFile) {
  static final String CERT_FILE = "listen.tls-cert-file";
  static final String KEY_FILE = "listen.tls-key-file";
  static final String CLIENT_CA_FILE = "listen.tls-client-ca-file";

  /** Adds the keys' descriptions to a component's table of known keys. */
  public static void describe(Map<String, String> keys) {
    keys.put(CERT_FILE, "PEM file of the certificate chain the listener presents: serve HTTPS only; with "
        + KEY_FILE + " (default: plain HTTP)");
    keys.put(KEY_FILE, "with " + CERT_FILE + ": PEM file of its unencrypted PKCS#8 private key; never logged");
    keys.put(CLIENT_CA_FILE, "with " + CERT_FILE + ": PEM file of the CA certificates that sign the "
        + "client certificates; every path but /healthz and /readyz then requires one (mutual TLS)");
  }

  /**
   * Reads the keys.
   *
   * @return empty when none of them is set: plain HTTP
   * @throws ConfigException naming the key, when a file cannot be read, is not the PEM it should be, or a key
   *     comes without the ones it needs
   */
  public static Optional<ListenerTls> parse(Map<String, String> values) throws ConfigException {
    if (!ConfigFiles.certificateAndKey(values, CERT_FILE, KEY_FILE, "a TLS listener")) {
      if (values.containsKey(CLIENT_CA_FILE)) {
        throw ConfigException.badValue(CLIENT_CA_FILE, values.get(CLIENT_CA_FILE), "client certificates need a "
            + "TLS listener: set " + CERT_FILE + " and " + KEY_FILE + " as well");
      }
      return Optional.empty();
    }
    ListenerTls tls = new ListenerTls(Path.of(values.get(CERT_FILE)), Path.of(values.get(KEY_FILE)),
        Optional.ofNullable(values.get(CLIENT_CA_FILE)).map(Path::of));
    tls.checkFiles();
    return Optional.of(tls);
  }

  /**
   * Checks the files as they are now: readable PEM of the right kind, and a key that belongs to the certificate.
   * Run at start, and again before a renewed certificate replaces the one in use.
   */
  public void checkFiles() throws ConfigException {
    ConfigFiles.pem(CERT_FILE, certFile.toString(), ConfigFiles.CERTIFICATE);
    ConfigFiles.keyMatchesCertificate(CERT_FILE, certFile.toString(), KEY_FILE, keyFile.toString());
    if (clientCaFile.isPresent()) {
      ConfigFiles.pem(CLIENT_CA_FILE, clientCaFile.get().toString(), ConfigFiles.CERTIFICATE);
    }
  }

  /** What the start-up line says: the certificate and whether clients need one, never the key. */
  @Override
  public String toString() {
    return "TLS with " + certFile + clientCaFile.map(ca -> ", client certificates signed by " + ca + " required")
        .orElse("");
  }
}
