package io.acceltel.model.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * A configuration value is wrong. The message names the key, the bad value and what is allowed, and is printed to
 * the operator as it is; the process then exits with code 2.
 *
 * <p>The value of a key that names a secret's file ({@code *-password-file}, {@code *-key-file}) is shown only when
 * it is plainly a path (absolute, in an existing directory other than the root): the common mistake of putting the
 * secret itself there (a Kubernetes {@code secretKeyRef} where a mounted file was meant) must not print it.
 */
public final class ConfigException extends Exception {
  public ConfigException(String message) {
    super(message);
  }

  public static ConfigException badValue(String key, String value, String allowed) {
    return new ConfigException("invalid configuration: " + key + shown(key, value) + ": " + allowed);
  }

  private static String shown(String key, String value) {
    if (!namesSecretFile(key) || plainlyAPath(value)) {
      return " = '" + value + "'";
    }
    return " (value not shown: it does not look like a file's path and may be the secret itself; "
        + (value == null ? 0 : value.length()) + " characters)";
  }

  private static boolean namesSecretFile(String key) {
    return key.endsWith("password-file") || key.endsWith("key-file");
  }

  private static boolean plainlyAPath(String value) {
    if (value == null || !value.startsWith("/") || value.chars().anyMatch(Character::isWhitespace)) {
      return false;
    }
    try {
      Path parent = Path.of(value).getParent();
      return parent != null && parent.getParent() != null && Files.isDirectory(parent);
    } catch (InvalidPathException e) {
      return false;
    }
  }
}
