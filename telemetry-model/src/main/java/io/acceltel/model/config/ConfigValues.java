package io.acceltel.model.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads of flattened configuration values, each failing with a {@link ConfigException} that names the key,
 * the bad value and what is allowed. Every component validates its settings through these, so the messages read
 * the same everywhere.
 *
 * <pre>{@code
 * ConfigValues v = new ConfigValues(source.values());
 * Duration interval = v.duration("interval", Duration.ofSeconds(1), Duration.ofMillis(100));
 * }</pre>
 */
public final class ConfigValues {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d|w|y)");
  private static final String DURATION_FORM = "a duration such as 500ms, 10s, 1m, 6h, 30d or 5y";
  private static final Pattern BYTE_SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|TiB)?");
  private static final String[] BYTE_UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};
  private static final Pattern KAFKA_TOPIC = Pattern.compile("[a-zA-Z0-9._-]+");
  /** The longest topic name Kafka accepts. */
  public static final int KAFKA_TOPIC_MAX = 249;

  private final Map<String, String> values;

  public ConfigValues(Map<String, String> values) {
    this.values = values;
  }

  public String get(String key, String def) {
    return values.getOrDefault(key, def);
  }

  public String nonBlank(String key, String def) throws ConfigException {
    String value = get(key, def);
    if (value == null || value.isBlank()) {
      throw ConfigException.badValue(key, String.valueOf(value), "a non-empty string");
    }
    return value;
  }

  /**
   * A Kafka topic name as the brokers accept it: letters, digits, '.', '_' and '-', at most {@code maxLength}
   * characters (249, less where a suffix is appended for another topic), not '.' or '..'. Checked here, as the
   * client would only refuse each send, retried forever, with nothing streamed.
   */
  public String kafkaTopic(String key, String def, int maxLength) throws ConfigException {
    String value = nonBlank(key, def);
    if (!KAFKA_TOPIC.matcher(value).matches() || value.length() > maxLength || value.equals(".")
        || value.equals("..")) {
      throw ConfigException.badValue(key, value, "a Kafka topic name: letters, digits, '.', '_' and '-', at most "
          + maxLength + " characters");
    }
    return value;
  }

  /**
   * A comma-separated list (the flag form; a YAML list arrives the same way), each item trimmed, blank items
   * dropped; {@code def} when the key is absent.
   */
  public List<String> list(String key, List<String> def) {
    String value = values.get(key);
    if (value == null) {
      return def;
    }
    List<String> items = new ArrayList<>();
    for (String item : value.split(",")) {
      if (!item.isBlank()) {
        items.add(item.strip());
      }
    }
    return List.copyOf(items);
  }

  /**
   * The Kafka-style servers under {@code key} (a comma-separated list of {@code host:port}, checked so that a typo
   * exits 2 naming the key, not with the client's stack trace), or empty when unset. While unset, the other keys
   * under {@code prefix} are refused: they would be accepted and do nothing (a Kafka topic without a bootstrap
   * server), which reads as if they took effect.
   */
  public static Optional<String> optionalHostPorts(Map<String, String> values, String prefix, String key)
      throws ConfigException {
    String set = values.get(key);
    if (set != null && !set.isBlank()) {
      return Optional.of(hostPorts(key, set));
    }
    for (Map.Entry<String, String> e : values.entrySet()) {
      if (e.getKey().startsWith(prefix) && !e.getKey().equals(key)) {
        throw ConfigException.badValue(e.getKey(), e.getValue(), prefix + "* settings need " + key + " as well");
      }
    }
    return Optional.empty();
  }

  /**
   * A comma-separated list of {@code host:port}, as Kafka's bootstrap servers. Names are not resolved: the brokers'
   * DNS may come up later. A {@code PLAINTEXT://} style prefix and {@code [IPv6]:port} are accepted, as the Kafka
   * client accepts them.
   */
  private static String hostPorts(String key, String value) throws ConfigException {
    String form = "a comma-separated list of host:port with ports 1..65535, e.g. kafka-0.kafka:9092,kafka-1.kafka:9092";
    for (String entry : value.split(",", -1)) {
      String address = entry.trim().replaceFirst("^[A-Za-z_]+://", "");
      int colon = address.lastIndexOf(':');
      String host = colon < 0 ? "" : address.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      String problem = colon < 0 ? "no port"
          : host.isEmpty() || host.contains("/") || host.chars().anyMatch(Character::isWhitespace) ? "no valid host"
          : !isPort(address.substring(colon + 1)) ? "no valid port" : null;
      if (problem != null) {
        throw ConfigException.badValue(key, value, form + " (\"" + entry.trim() + "\" has " + problem + ")");
      }
    }
    return value;
  }

  private static boolean isPort(String text) {
    if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return false;
    }
    int port = Integer.parseInt(text);
    return port >= 1 && port <= 65535;
  }

  public String oneOf(String key, String def, Collection<String> allowed) throws ConfigException {
    String value = get(key, def);
    if (!allowed.contains(value)) {
      throw ConfigException.badValue(key, value, "allowed values are " + String.join(", ", new TreeSet<>(allowed)));
    }
    return value;
  }

  public Duration duration(String key, Duration def, Duration min) throws ConfigException {
    String value = values.get(key);
    if (value == null) {
      return def;
    }
    Duration d = parseDuration(value);
    if (d == null) {
      throw ConfigException.badValue(key, value, DURATION_FORM + ", at least " + min.toMillis() + "ms");
    }
    if (d.compareTo(min) < 0) {
      throw ConfigException.badValue(key, value, "must be at least " + min.toMillis() + "ms");
    }
    return d;
  }

  public int integer(String key, int def, int min, int max) throws ConfigException {
    return integer(key, get(key, Integer.toString(def)), min, max);
  }

  /** Validates a number taken from part of a value (the port of host:port), reported under {@code key}. */
  public static int integer(String key, String value, int min, int max) throws ConfigException {
    String allowed = "a whole number from " + min + " to " + max;
    long n;
    try {
      n = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw ConfigException.badValue(key, value, allowed);
    }
    if (n < min || n > max) {
      throw ConfigException.badValue(key, value, allowed);
    }
    return (int) n;
  }

  public long longValue(String key, long def) throws ConfigException {
    String value = get(key, Long.toString(def));
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw ConfigException.badValue(key, value, "a whole number");
    }
  }

  /**
   * A size such as {@code 512MiB}, {@code 1GiB} or a plain number of bytes, from {@code min} to {@code max}
   * inclusive; {@code def} when the key is absent.
   */
  public long byteSize(String key, long def, long min, long max) throws ConfigException {
    String value = values.get(key);
    if (value == null) {
      return def;
    }
    String allowed = "a size such as 512MiB or 1GiB (B, KiB, MiB, GiB, TiB; a plain number is bytes) from "
        + formatBytes(min) + " to " + formatBytes(max);
    Matcher m = BYTE_SIZE.matcher(value.trim());
    if (!m.matches() || m.group(1).length() > 15) {
      throw ConfigException.badValue(key, value, allowed);
    }
    int shift = 10 * Arrays.asList(BYTE_UNITS).indexOf(m.group(2) == null ? "B" : m.group(2));
    long number = Long.parseLong(m.group(1));
    if (number > (max >> shift) || (number << shift) < min) {
      throw ConfigException.badValue(key, value, allowed);
    }
    return number << shift;
  }

  /** {@code 1MiB}, {@code 1TiB}: the largest unit that divides the size, {@code 0} for nothing. */
  static String formatBytes(long bytes) {
    int unit = 0;
    while (bytes != 0 && unit < BYTE_UNITS.length - 1 && bytes % 1024 == 0) {
      bytes /= 1024;
      unit++;
    }
    return bytes == 0 ? "0" : bytes + BYTE_UNITS[unit];
  }

  /**
   * Parses {@code 500ms}, {@code 10s}, {@code 1m}, {@code 6h}, {@code 30d}, {@code 2w}, {@code 5y}; null if not one,
   * or if it does not fit in a long of nanoseconds (about 292 years).
   */
  public static Duration parseDuration(String value) {
    Matcher m = DURATION.matcher(value.trim());
    if (!m.matches()) {
      return null;
    }
    try {
      long n = Long.parseLong(m.group(1));
      Duration d = switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        case "w" -> Duration.ofDays(Math.multiplyExact(7, n));
        default -> Duration.ofDays(Math.multiplyExact(365, n));
      };
      d.toNanos(); // users read it down to nanoseconds: one that does not fit (~292 years) is no duration either
      return d;
    } catch (NumberFormatException | ArithmeticException tooLarge) {
      return null;
    }
  }
}
