package io.acceltel.model.config;

/**
 * A configuration value is wrong. The message names the key, the bad value and what is allowed, and is printed to
 * the operator as it is; the process then exits with code 2.
 */
public final class ConfigException extends Exception {
  public ConfigException(String message) {
    super(message);
  }

  public static ConfigException badValue(String key, String value, String allowed) {
    return new ConfigException("invalid configuration: " + key + " = '" + value + "': " + allowed);
  }
}
