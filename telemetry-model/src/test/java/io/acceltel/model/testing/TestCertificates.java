package io.acceltel.model.testing;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Self-signed certificates for TLS tests, made with the JDK's keytool: no openssl needed. */
public final class TestCertificates {
  private TestCertificates() {}

  /**
   * A key pair with its self-signed certificate: as a PKCS#12 store (for servers that take one) and as the PEM
   * certificate and unencrypted PKCS#8 key files acceltel's configuration takes.
   */
  public record Issued(Path keyStore, String password, String alias, Path certificatePem, Path privateKeyPem) {
    public KeyStore load() throws Exception {
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (var in = Files.newInputStream(keyStore)) {
        store.load(in, password.toCharArray());
      }
      return store;
    }
  }

  /** A TLS client context that trusts only {@code server}'s certificate and presents {@code identity}'s, if any. */
  public static SSLContext clientContext(Issued server, Issued identity) throws Exception {
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    try (InputStream in = Files.newInputStream(server.certificatePem())) {
      trusted.setCertificateEntry(server.alias(), CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    KeyManager[] keys = null;
    if (identity != null) {
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(identity.load(), identity.password().toCharArray());
      keys = factory.getKeyManagers();
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys, trust.getTrustManagers(), null);
    return context;
  }

  /** A certificate for 127.0.0.1 and localhost, as a server on loopback presents, valid for two days. */
  public static Issued server(Path dir, String name) throws Exception {
    return server(dir, name, 2);
  }

  /** A certificate for 127.0.0.1 and localhost, valid from now for {@code validityDays}. */
  public static Issued server(Path dir, String name, int validityDays) throws Exception {
    return issue(dir, name, "CN=127.0.0.1", "SAN=ip:127.0.0.1,dns:localhost", validityDays);
  }

  /** A certificate for 127.0.0.1 and localhost that expired yesterday (a Secret restored from an old backup). */
  public static Issued expiredServer(Path dir, String name) throws Exception {
    return issue(dir, name, "CN=127.0.0.1", "SAN=ip:127.0.0.1,dns:localhost", 1, "-3d");
  }

  /** A client certificate with this common name. */
  public static Issued client(Path dir, String name, String commonName) throws Exception {
    return issue(dir, name, "CN=" + commonName, null, 2);
  }

  private static Issued issue(Path dir, String name, String dname, String extension, int validityDays)
      throws Exception {
    return issue(dir, name, dname, extension, validityDays, null);
  }

  /** @param startDate keytool's -startdate (such as "-3d"), or null for now */
  private static Issued issue(Path dir, String name, String dname, String extension, int validityDays,
      String startDate) throws Exception {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Path store = dir.resolve(name + ".p12");
    String password = name + "-pw";
    List<String> genkeypair = new ArrayList<>(List.of(keytool, "-genkeypair", "-alias", name, "-keyalg", "RSA",
        "-keysize", "2048", "-dname", dname, "-validity", Integer.toString(validityDays), "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", password, "-keypass", password));
    if (extension != null) {
      genkeypair.addAll(List.of("-ext", extension));
    }
    if (startDate != null) {
      genkeypair.addAll(List.of("-startdate", startDate));
    }
    run(genkeypair.toArray(String[]::new));
    Path certificate = dir.resolve(name + ".crt");
    run(keytool, "-exportcert", "-rfc", "-alias", name, "-keystore", store.toString(), "-storepass", password,
        "-file", certificate.toString());
    Issued issued = new Issued(store, password, name, certificate, dir.resolve(name + ".key"));
    byte[] pkcs8 = issued.load().getKey(name, password.toCharArray()).getEncoded();
    Files.writeString(issued.privateKeyPem(), "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs8)
        + "\n-----END PRIVATE KEY-----\n");
    return issued;
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
  }
}
