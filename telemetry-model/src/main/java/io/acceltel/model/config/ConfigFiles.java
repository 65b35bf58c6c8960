package io.acceltel.model.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Map;

/**
 * Checks the files a configuration key names at start (a certificate, a private key, a password), so that a wrong
 * path fails with the key's name instead of at the first connection. Messages name the file, never its content.
 */
public final class ConfigFiles {
  public static final String CERTIFICATE = "-----BEGIN CERTIFICATE-----";
  public static final String PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----";

  private ConfigFiles() {}

  /**
   * Whether a certificate and its key are configured: both keys or neither.
   *
   * @param what what the pair is for, e.g. "a TLS listener", in the message when only one key is set
   */
  public static boolean certificateAndKey(Map<String, String> values, String certificateKey, String privateKeyKey,
      String what) throws ConfigException {
    boolean certificate = values.containsKey(certificateKey);
    if (certificate != values.containsKey(privateKeyKey)) {
      String present = certificate ? certificateKey : privateKeyKey;
      throw ConfigException.badValue(present, values.get(present), what + " needs both " + certificateKey + " and "
          + privateKeyKey);
    }
    return certificate;
  }

  /** The path, when it is a regular, readable file. */
  public static Path readable(String key, String value) throws ConfigException {
    Path path;
    try {
      path = Path.of(value);
    } catch (InvalidPathException e) {
      throw ConfigException.badValue(key, value, "a file's path; this one has characters no path can have");
    }
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw ConfigException.badValue(key, value, "a readable file; this one does not exist or cannot be read");
    }
    return path;
  }

  /** The text of a readable PEM file with a {@code header} block ({@link #CERTIFICATE}, {@link #PRIVATE_KEY}). */
  public static String pem(String key, String value, String header) throws ConfigException {
    Path file = readable(key, value);
    String text;
    try {
      // ISO-8859-1 reads any byte: a CA bundle's UTF-8 comment lines must not make the PEM unreadable.
      text = Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw ConfigException.badValue(key, value, "a readable PEM file (" + e.getClass().getSimpleName() + ")");
    }
    if (!text.contains(header)) {
      throw ConfigException.badValue(key, value, "a PEM file with a '" + header + "' block"
          + (header.equals(PRIVATE_KEY) ? " (an unencrypted PKCS#8 key: openssl pkcs8 -topk8 -nocrypt; from "
              + "cert-manager, set the Certificate's spec.privateKey.encoding: PKCS8)" : ""));
    }
    return text;
  }

  /**
   * Checks that the unencrypted PKCS#8 key in one file belongs to the first certificate in the other, by signing
   * and verifying a probe: a mismatched pair would start, and then fail every TLS handshake.
   */
  public static void keyMatchesCertificate(String certificateKey, String certificateValue, String privateKeyKey,
      String privateKeyValue) throws ConfigException {
    PublicKey publicKey;
    try (InputStream in = Files.newInputStream(readable(certificateKey, certificateValue))) {
      publicKey = CertificateFactory.getInstance("X.509").generateCertificate(in).getPublicKey();
    } catch (IOException | CertificateException e) {
      throw ConfigException.badValue(certificateKey, certificateValue, "a PEM certificate; this one does not parse ("
          + e.getClass().getSimpleName() + ")");
    }
    String signatureAlgorithm = switch (publicKey.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (signatureAlgorithm == null) {
      return; // an algorithm this check does not know: the handshake will tell
    }
    PrivateKey privateKey;
    try {
      String pem = pem(privateKeyKey, privateKeyValue, PRIVATE_KEY);
      String base64 = pem.substring(pem.indexOf(PRIVATE_KEY) + PRIVATE_KEY.length(), pem.indexOf("-----END"));
      byte[] der = Base64.getMimeDecoder().decode(base64);
      privateKey = KeyFactory.getInstance(publicKey.getAlgorithm()).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (IllegalArgumentException | IndexOutOfBoundsException | GeneralSecurityException e) {
      throw ConfigException.badValue(privateKeyKey, privateKeyValue, "an unencrypted PKCS#8 "
          + publicKey.getAlgorithm() + " private key (openssl pkcs8 -topk8 -nocrypt); this one does not parse");
    }
    try {
      byte[] probe = "acceltel key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(signatureAlgorithm);
      signer.initSign(privateKey);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(signatureAlgorithm);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      if (verifier.verify(signature)) {
        return;
      }
    } catch (GeneralSecurityException e) {
      // falls through to the mismatch message: the key cannot sign for this certificate
    }
    throw ConfigException.badValue(privateKeyKey, privateKeyValue, "the private key of the certificate in "
        + certificateKey + " (" + certificateValue + "); it belongs to another certificate");
  }
}
