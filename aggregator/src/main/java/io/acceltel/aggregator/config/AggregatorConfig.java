package io.acceltel.aggregator.config;

import io.acceltel.aggregator.AggregatorSettings;
import io.acceltel.aggregator.query.RangeResultCache;
import io.acceltel.aggregator.rules.AggregationRule;
import io.acceltel.aggregator.rules.AggregationRules;
import io.acceltel.aggregator.storage.Resolution;
import io.acceltel.aggregator.storage.StorageConfig;
import io.acceltel.model.config.ConfigException;
import io.acceltel.model.config.ConfigSource;
import io.acceltel.model.config.ConfigValues;
import io.acceltel.model.config.KafkaSecurity;
import io.acceltel.model.config.ListenAddress;
import io.acceltel.model.config.ListenerTls;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The aggregator's configuration: one YAML file, environment variables ({@code ACCELTEL_<KEY>}) and flags, flattened
 * by {@link ConfigSource} and validated here; every error names the key, the value and what is allowed.
 *
 * <pre>{@code
 * data-dir: /var/lib/acceltel
 * listen: 0.0.0.0:9836
 * kafka:
 *   bootstrap: kafka-0.kafka:9092
 *   partitions: 0,1,2,3
 * retention:
 *   raw: 6h
 *   1h: 5y
 * rules: /etc/acceltel/aggregation-rules.yaml
 * }</pre>
 *
 * @param rules streaming aggregation rules computed at ingest
 */
public record AggregatorConfig(AggregatorSettings settings, List<AggregationRule> rules) {
  static final Map<String, String> KEYS = new LinkedHashMap<>();

  static {
    KEYS.put("data-dir", "storage directory (default data/aggregator)");
    KEYS.put("listen", "host:port of the HTTP listener (default 127.0.0.1:9836)");
    ListenerTls.describe(KEYS);
    KEYS.put("kafka.bootstrap", "Kafka bootstrap servers, host:port[,host:port...]; unset: remote_write only");
    KEYS.put("kafka.topic", "topic of the exporters' ticks (default acceltel.metrics.v1)");
    KEYS.put("kafka.partitions", "this aggregator's static partition set, e.g. 0,1,2,3");
    KafkaSecurity.describe(KEYS);
    KEYS.put("max-series", "series the head may hold; samples of new series beyond it are dropped and counted "
        + "(default one per 16 KiB of heap, at least 10000)");
    KEYS.put("checkpoint-every", "how often storage and the Kafka offsets it covers are persisted (default 10s)");
    for (String r : List.of("raw", "10s", "1m", "5m", "1h")) {
      KEYS.put("retention." + r, "how long the " + r + " resolution is kept, e.g. 6h, 30d, 5y; 0s keeps it forever");
    }
    KEYS.put("rules", "YAML file of streaming aggregation rules (aggregation_rules: [...])");
    KEYS.put("query-cache.max-bytes", "memory for kept range-query answers, e.g. 256MiB; 0 turns the cache off "
        + "(default an eighth of the heap, at most 256MiB)");
    KEYS.put("query-cache.recent", "the newest part of a range that is always evaluated, never kept; data arriving "
        + "later than this voids the cache (default 5m)");
  }

  /** Every key this configuration understands. */
  public static Set<String> keys() {
    return java.util.Collections.unmodifiableSet(KEYS.keySet());
  }

  public static AggregatorConfig parse(ConfigSource source) throws ConfigException {
    Map<String, String> v = source.values();
    for (String key : v.keySet()) {
      if (!KEYS.containsKey(key)) {
        throw new ConfigException("unknown configuration key '" + key + "' (from " + source.origin(key)
            + "); known keys: " + String.join(", ", KEYS.keySet()));
      }
    }
    ConfigValues values = new ConfigValues(v);
    ListenAddress listen = ListenAddress.parse("listen",
        values.get("listen", "127.0.0.1:" + AggregatorSettings.DEFAULT_PORT), "127.0.0.1:9836 or 0.0.0.0:9836");
    Optional<String> kafka = ConfigValues.optionalHostPorts(v, "kafka.", "kafka.bootstrap");
    AggregatorSettings settings = AggregatorSettings.defaults(Path.of(values.nonBlank("data-dir",
            Path.of("data", "aggregator").toString())), kafka)
        .withTopic(values.kafkaTopic("kafka.topic", AggregatorSettings.DEFAULT_TOPIC,
            ConfigValues.KAFKA_TOPIC_MAX - AggregatorSettings.DEAD_LETTER_SUFFIX.length()))
        .withPartitions(partitions(values.get("kafka.partitions", "0,1,2,3")))
        .withKafkaSecurity(KafkaSecurity.parse(v))
        .withListen(listen.host(), listen.port())
        .withListenTls(ListenerTls.parse(v))
        .withCheckpointEvery(values.duration("checkpoint-every", Duration.ofSeconds(10), Duration.ofSeconds(1)))
        .withMaxSeries(values.integer("max-series", AggregatorSettings.defaultMaxSeries(), 1, Integer.MAX_VALUE))
        .withStorage(storage(values))
        .withQueryCache(queryCache(values));
    return new AggregatorConfig(settings, rules(v.get("rules")));
  }

  private static RangeResultCache.Settings queryCache(ConfigValues values) throws ConfigException {
    RangeResultCache.Settings defaults = RangeResultCache.Settings.defaults();
    return new RangeResultCache.Settings(
        values.byteSize("query-cache.max-bytes", defaults.maxBytes(), 0, 1L << 40),
        values.duration("query-cache.recent", defaults.recent(), Duration.ZERO));
  }

  private static List<Integer> partitions(String value) throws ConfigException {
    List<Integer> out = new ArrayList<>();
    for (String p : value.split(",")) {
      out.add(ConfigValues.integer("kafka.partitions", p, 0, 100_000));
    }
    return List.copyOf(out);
  }

  private static StorageConfig storage(ConfigValues values) throws ConfigException {
    StorageConfig.Builder storage = StorageConfig.builder();
    StorageConfig defaults = StorageConfig.defaults();
    for (Resolution r : defaults.resolutions()) {
      String key = "retention." + label(r);
      Duration def = Duration.ofMillis(defaults.retentionMillis(r));
      storage.retention(r, values.duration(key, def, Duration.ZERO));
    }
    return storage.build();
  }

  private static String label(Resolution r) {
    if (r.isRaw()) {
      return "raw";
    }
    long s = r.millis() / 1000;
    return s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
  }

  private static List<AggregationRule> rules(String file) throws ConfigException {
    if (file == null || file.isBlank()) {
      return List.of();
    }
    try {
      return AggregationRules.load(Path.of(file));
    } catch (IOException e) {
      throw ConfigException.badValue("rules", file, "a readable YAML file of aggregation_rules (" + e.getMessage()
          + ")");
    } catch (IllegalArgumentException e) {
      throw new ConfigException("invalid aggregation rules: " + e.getMessage());
    }
  }
}
