package io.acceltel.exporter.config;

import io.acceltel.model.config.ConfigSource;
import io.acceltel.model.config.ConfigValues;
import io.acceltel.model.config.ListenAddress;
import io.acceltel.model.config.ConfigException;
import io.acceltel.model.config.KafkaSecurity;
import io.acceltel.model.config.ListenerTls;
import io.acceltel.exporter.attribution.AttributionSettings;
import io.acceltel.exporter.collect.MetricExclusions;
import io.acceltel.exporter.device.BackendContext.SimulatedSettings;
import io.acceltel.exporter.kafka.KafkaSinkSettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The exporter's configuration, built once from a {@link ConfigSource} and validated at the edge: every error
 * names the key, the bad value and what is allowed.
 *
 * <pre>{@code
 * ExporterConfig config = ExporterConfig.parse(
 *     ExporterConfig.source().putYaml(path).put("interval", "500ms", "--interval"), backends.names(), views.names());
 * }</pre>
 *
 * @param devices the backend name ({@code nvml}, {@code simulated}) or {@code auto}: NVML when its library loads,
 *     otherwise simulated devices, announced as such (used by {@code acceltel demo})
 * @param attribution the {@code attribution.*} keys: device-to-pod attribution (docs/attribution.md)
 * @param kafka the {@code kafka.*} keys: streaming every tick to Kafka; empty when {@code kafka.bootstrap} is unset
 * @param exclusions {@code metrics.exclude}: device metrics left out of {@code /metrics} and the Kafka stream
 * @param tls the {@code listen.tls-*} keys: HTTPS, and optionally client certificates, on the listener
 */
public record ExporterConfig(
    String node,
    String devices,
    Duration interval,
    String listenHost,
    int listenPort,
    String names,
    Optional<Path> nvmlLibrary,
    SimulatedSettings simulated,
    Optional<Path> dcmiLibrary,
    AttributionSettings attribution,
    Optional<KafkaSinkSettings> kafka,
    MetricExclusions exclusions,
    Optional<ListenerTls> tls) {

  public static final String AUTO = "auto";
  public static final int DEFAULT_PORT = 9835;
  private static final long MIN_SPOOL_BYTES = 1L << 20;
  private static final long MAX_SPOOL_BYTES = 1L << 40;

  /** Every key the exporter understands, with its description; unknown keys are errors, not silently ignored. */
  static final Map<String, String> KEYS = new LinkedHashMap<>();

  static {
    KEYS.put("node", "node name used as the node label (default: $NODE_NAME, else the host name)");
    KEYS.put("devices", "device backend: nvml, dcmi, simulated, or auto (nvml, else dcmi, when present; else "
        + "simulated where no driver is installed)");
    KEYS.put("interval", "collection interval, e.g. 1s or 500ms; at least 100ms");
    KEYS.put("listen", "host:port of the /metrics listener (default 127.0.0.1:9835)");
    ListenerTls.describe(KEYS);
    KEYS.put("names", "metric names on /metrics: native, dcgm or npu-exporter");
    KEYS.put("nvml.library", "path of libnvidia-ml.so.1 (default: the system library path)");
    KEYS.put("dcmi.library", "path of Huawei's libdcmi.so (default: the system library path, then the Ascend "
        + "driver's directories)");
    KEYS.put("metrics.exclude", "device metrics left out of /metrics and the Kafka stream: native names or patterns "
        + "with * (accelerator_nvlink_*,accelerator_process_*); device health still uses them (default: none)");
    KEYS.put("simulated.devices", "number of simulated devices, 1..1024");
    KEYS.put("simulated.model", "model name the simulated devices report");
    KEYS.put("simulated.seed", "seed of the simulated workload");
    KEYS.put("kafka.bootstrap", "Kafka bootstrap servers (host:port,...); unset: no streaming to Kafka");
    KEYS.put("kafka.topic", "topic of the OTLP ticks (default " + KafkaSinkSettings.DEFAULT_TOPIC + ")");
    KEYS.put("kafka.compression", "zstd (default), lz4 or none");
    KEYS.put("kafka.buffer-ticks", "ticks held in memory while Kafka is unreachable, 1..86400 (default 600), and "
        + "at most a quarter of the heap");
    KEYS.put("kafka.spool-dir", "directory where ticks beyond kafka.buffer-ticks wait on disk and survive a "
        + "restart (default: unset, memory only)");
    KEYS.put("kafka.spool-max-bytes", "bound of the spool, e.g. 512MiB or 1GiB, 1MiB..1TiB (default 1GiB); "
        + "beyond it the oldest ticks are dropped and counted");
    KafkaSecurity.describe(KEYS);
    AttributionConfig.describe(KEYS);
  }

  /** The keys {@link #parse} understands (attribution's pod-label mapping keys aside). */
  public static java.util.Set<String> keys() {
    return java.util.Collections.unmodifiableSet(KEYS.keySet());
  }

  /** An empty source that layers the exporter's keys as it needs: the pod-label mapping is given whole. */
  public static ConfigSource source() {
    return new ConfigSource().wholeMapping(AttributionConfig.POD_LABELS);
  }

  public static ExporterConfig parse(ConfigSource source, Collection<String> backends, Collection<String> views)
      throws ConfigException {
    Map<String, String> v = source.values();
    ConfigValues values = new ConfigValues(v);
    for (String key : v.keySet()) {
      if (!KEYS.containsKey(key) && !AttributionConfig.isPodLabelKey(key)) {
        throw new ConfigException("unknown configuration key '" + key + "' (from " + source.origin(key)
            + "); known keys: " + String.join(", ", KEYS.keySet()));
      }
    }
    Set<String> deviceChoices = new TreeSet<>(backends);
    deviceChoices.add(AUTO);
    String devices = values.oneOf("devices", "nvml", deviceChoices);
    String names = values.oneOf("names", "native", views);
    Duration interval = values.duration("interval", Duration.ofSeconds(1), Duration.ofMillis(100));
    ListenAddress listen = ListenAddress.parse("listen", v.getOrDefault("listen", "127.0.0.1:" + DEFAULT_PORT),
        "127.0.0.1:9835 or 0.0.0.0:9835");
    String node = v.containsKey("node") ? v.get("node") : defaultNode(); // no host lookup when it is given
    if (node.isBlank()) {
      throw ConfigException.badValue("node", node, "a non-empty node name");
    }
    Optional<Path> nvmlLibrary = Optional.ofNullable(v.get("nvml.library")).filter(s -> !s.isBlank()).map(Path::of);
    Optional<Path> dcmiLibrary = Optional.ofNullable(v.get("dcmi.library")).filter(s -> !s.isBlank()).map(Path::of);
    SimulatedSettings defaults = SimulatedSettings.DEFAULT;
    SimulatedSettings simulated = new SimulatedSettings(
        values.integer("simulated.devices", defaults.devices(), 1, 1024),
        values.nonBlank("simulated.model", defaults.model()),
        values.longValue("simulated.seed", defaults.seed()));
    AttributionSettings attribution = AttributionConfig.parse(v);
    return new ExporterConfig(node, devices, interval, listen.host(), listen.port(), names, nvmlLibrary, simulated,
        dcmiLibrary, attribution, kafka(v), exclusions(values), ListenerTls.parse(v));
  }

  private static MetricExclusions exclusions(ConfigValues values) throws ConfigException {
    try {
      return MetricExclusions.of(values.list("metrics.exclude", List.of()));
    } catch (IllegalArgumentException e) {
      throw ConfigException.badValue("metrics.exclude", values.get("metrics.exclude", ""), e.getMessage());
    }
  }

  private static Optional<KafkaSinkSettings> kafka(Map<String, String> v) throws ConfigException {
    Optional<String> servers = ConfigValues.optionalHostPorts(v, "kafka.", "kafka.bootstrap");
    if (servers.isEmpty()) {
      return Optional.empty();
    }
    String bootstrap = servers.get();
    ConfigValues values = new ConfigValues(v);
    String topic = values.kafkaTopic("kafka.topic", KafkaSinkSettings.DEFAULT_TOPIC, ConfigValues.KAFKA_TOPIC_MAX);
    String compression = values.oneOf("kafka.compression", "zstd", Set.of("zstd", "lz4", "none"));
    int buffer = values.integer("kafka.buffer-ticks", 600, 1, 86_400);
    KafkaSinkSettings settings = KafkaSinkSettings.of(bootstrap).withTopic(topic).withCompression(compression)
        .withBufferTicks(buffer).withSecurity(KafkaSecurity.parse(v));
    String spoolDir = v.get("kafka.spool-dir");
    if (spoolDir == null || spoolDir.isBlank()) {
      if (v.containsKey("kafka.spool-max-bytes")) {
        throw ConfigException.badValue("kafka.spool-max-bytes", v.get("kafka.spool-max-bytes"),
            "it bounds the on-disk spool, so it needs kafka.spool-dir as well");
      }
      return Optional.of(settings);
    }
    long spoolMaxBytes = values.byteSize("kafka.spool-max-bytes", KafkaSinkSettings.Spool.DEFAULT_MAX_BYTES,
        MIN_SPOOL_BYTES, MAX_SPOOL_BYTES);
    try {
      return Optional.of(settings.withSpool(Path.of(spoolDir), spoolMaxBytes));
    } catch (InvalidPathException e) {
      throw ConfigException.badValue("kafka.spool-dir", spoolDir, "a directory path (" + e.getReason() + ")");
    }
  }

  /** The explicit library path configured for a device backend ({@code nvml}, {@code dcmi}); empty for others. */
  public Optional<Path> nativeLibrary(String backend) {
    return switch (backend) {
      case "nvml" -> nvmlLibrary;
      case "dcmi" -> dcmiLibrary;
      default -> Optional.empty();
    };
  }

  private static String defaultNode() {
    String env = System.getenv("NODE_NAME");
    return env != null && !env.isBlank() ? env : hostName();
  }

  /** The machine's host name, the node name when nothing else gives one; in a pod, the pod's name. */
  public static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
