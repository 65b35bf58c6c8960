package io.acceltel.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Flattens configuration layers into dotted keys ({@code simulated.devices}) so that a YAML file, environment
 * variables and command-line flags all override each other by the same rule and are validated by the same code.
 */
public final class ConfigSource {
  private final Map<String, String> values = new LinkedHashMap<>();
  /** Where each value came from, for error messages: "config.yaml", "--interval", "ACCELTEL_INTERVAL". */
  private final Map<String, String> origins = new LinkedHashMap<>();
  private final Set<String> wholeMappings = new HashSet<>();

  /**
   * Declares {@code key} a mapping that is given whole: its string form from a later layer (a flag, a variable)
   * replaces the {@code key.*} entries an earlier layer (the file) set, rather than merging with them, so that
   * {@code --pod-labels=} means none whatever the file mapped. Declare before putting the layers.
   */
  public ConfigSource wholeMapping(String key) {
    wholeMappings.add(key);
    return this;
  }

  public ConfigSource putYaml(Path file) throws ConfigException {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException("configuration file " + file + " does not exist: pass an existing file to --config");
    } catch (IOException e) {
      throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage());
    }
    JsonNode root = StrictYaml.read(text, "configuration file " + file);
    if (root != null && !root.isNull() && !root.isMissingNode()) {
      if (!root.isObject()) {
        throw new ConfigException("configuration file " + file + " must hold a YAML mapping of keys to values");
      }
      flatten("", root, file.getFileName().toString(), new HashSet<>());
    }
    return this;
  }

  /** @param seen the keys this file set so far: "kafka.bootstrap: a" and "kafka: {bootstrap: b}" are one key */
  private void flatten(String prefix, JsonNode node, String origin, Set<String> seen) throws ConfigException {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      JsonNode value = e.getValue();
      if (value.isObject() && !value.isEmpty()) {
        flatten(key, value, origin, seen);
        continue;
      }
      if (!seen.add(key)) {
        throw new ConfigException("configuration file " + origin + " sets " + key + " twice (once as a dotted key, "
            + "once nested): keep one");
      }
      if (value.isArray()) {
        // A list of scalars (e.g. attribution.resource-names) reads like its comma-separated flag form.
        List<String> items = new java.util.ArrayList<>();
        for (JsonNode item : value) {
          if (!item.isValueNode()) {
            throw new ConfigException("configuration file " + origin + ": the items of " + key + " must be plain "
                + "values, as in [a, b], not mappings or lists");
          }
          items.add(item.asText());
        }
        put(key, String.join(",", items), origin);
      } else if (value.isObject()) {
        // Neither reading is safe: "pod-labels: {}" meant as "none" would keep the default mapping.
        throw new ConfigException("configuration file " + origin + ": " + key + " is an empty mapping ({}); remove "
            + "it, or write " + key.substring(key.lastIndexOf('.') + 1) + ": \"\" for an empty value (no pod "
            + "labels, for attribution.pod-labels)");
      } else {
        put(key, value.isNull() ? "" : value.asText(), origin);
      }
    }
  }

  /**
   * Takes every environment variable named {@code prefix} + a known key in upper case with dots and dashes as
   * underscores: with prefix {@code ACCELTEL_}, {@code ACCELTEL_KAFKA_BUFFER_TICKS} sets {@code kafka.buffer-ticks}.
   * Matching against the known keys keeps the mapping unambiguous; other variables are ignored.
   */
  public ConfigSource putEnvironment(Map<String, String> environment, String prefix, Iterable<String> knownKeys) {
    for (String key : knownKeys) {
      String name = environmentName(prefix, key);
      String value = environment.get(name);
      if (value != null) {
        put(key, value, "$" + name);
      }
    }
    return this;
  }

  /**
   * The variables named with {@code prefix} that set no known key, leaving out those {@code belongsElsewhere}
   * accepts (a launcher's own variables, another component's prefix): most likely a misspelt key, which
   * {@link #putEnvironment} passes over. Sorted.
   */
  public static List<String> unmatchedEnvironment(Map<String, String> environment, String prefix,
      Iterable<String> knownKeys, Predicate<String> belongsElsewhere) {
    Set<String> known = new HashSet<>();
    knownKeys.forEach(key -> known.add(environmentName(prefix, key)));
    return environment.keySet().stream()
        .filter(name -> name.startsWith(prefix) && !known.contains(name) && !belongsElsewhere.test(name))
        .sorted().toList();
  }

  /** {@code kafka.buffer-ticks} with prefix {@code ACCELTEL_}: {@code ACCELTEL_KAFKA_BUFFER_TICKS}. */
  public static String environmentName(String prefix, String key) {
    return prefix + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** Sets one key; later layers override earlier ones. Null values are ignored (flag not given). */
  public ConfigSource put(String key, String value, String origin) {
    if (value != null) {
      if (wholeMappings.contains(key)) {
        values.keySet().removeIf(k -> k.startsWith(key + "."));
        origins.keySet().removeIf(k -> k.startsWith(key + "."));
      }
      values.put(key, value);
      origins.put(key, origin);
    }
    return this;
  }

  public Map<String, String> values() {
    return values;
  }

  public String origin(String key) {
    return origins.getOrDefault(key, "default");
  }
}
