package io.acceltel.launcher;

import io.acceltel.model.config.ConfigSource;
import picocli.CommandLine.Option;

/** The {@code listen.tls-*} keys as flags, the same for every component with an HTTP listener. */
final class ListenerTlsOptions {
  @Option(names = "--tls-cert-file", paramLabel = "PEM",
      description = "Certificate chain the listener presents: serve HTTPS only (with --tls-key-file).")
  String certFile;

  @Option(names = "--tls-key-file", paramLabel = "PEM", description = "Unencrypted PKCS#8 key of that certificate.")
  String keyFile;

  @Option(names = "--tls-client-ca-file", paramLabel = "PEM",
      description = "CA of the clients' certificates: require one on all but /healthz and /readyz.")
  String clientCaFile;

  /** Puts the flags given over the file's and the environment's values. */
  ConfigSource putInto(ConfigSource source) {
    return source.put("listen.tls-cert-file", certFile, "--tls-cert-file")
        .put("listen.tls-key-file", keyFile, "--tls-key-file")
        .put("listen.tls-client-ca-file", clientCaFile, "--tls-client-ca-file");
  }
}
