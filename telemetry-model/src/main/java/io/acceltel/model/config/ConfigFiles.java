package io.acceltel.model.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
    Path path = Path.of(value);
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
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw ConfigException.badValue(key, value, "a readable PEM file (" + e.getClass().getSimpleName() + ")");
    }
    if (!text.contains(header)) {
      throw ConfigException.badValue(key, value, "a PEM file with a '" + header + "' block"
          + (header.equals(PRIVATE_KEY) ? " (an unencrypted PKCS#8 key: openssl pkcs8 -topk8 -nocrypt)" : ""));
    }
    return text;
  }
}
