package io.acceltel.exporter.config;

import io.acceltel.model.config.ConfigSource;
import io.acceltel.model.config.ConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.exporter.kafka.KafkaSinkSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExporterConfigTest {
  private static final List<String> BACKENDS = List.of("nvml", "simulated");
  private static final List<String> VIEWS = List.of("native", "dcgm");

  private static ExporterConfig parse(ConfigSource source) throws ConfigException {
    return ExporterConfig.parse(source, BACKENDS, VIEWS);
  }

  @Test
  void defaultsBindToLoopbackAtOneHertz() throws Exception {
    ExporterConfig config = parse(new ConfigSource());
    assertThat(config.listenHost()).isEqualTo("127.0.0.1");
    assertThat(config.listenPort()).isEqualTo(ExporterConfig.DEFAULT_PORT);
    assertThat(config.interval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.devices()).isEqualTo("nvml");
    assertThat(config.names()).isEqualTo("native");
  }

  @Test
  void flagsOverrideTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("exporter.yaml");
    Files.writeString(file, "interval: 2s\nnode: from-file\nsimulated:\n  devices: 3\n");
    ExporterConfig config = parse(new ConfigSource().putYaml(file).put("interval", "500ms", "--interval"));
    assertThat(config.interval()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.node()).isEqualTo("from-file");
    assertThat(config.simulated().devices()).isEqualTo(3);
  }

  @Test
  void anIntervalBelowTheMinimumNamesTheKeyTheValueAndTheLimit() {
    assertThatThrownBy(() -> parse(new ConfigSource().put("interval", "10ms", "--interval")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid configuration: interval = '10ms': must be at least 100ms");
  }

  @Test
  void anUnparsableDurationSaysWhatIsAllowed() {
    assertThatThrownBy(() -> parse(new ConfigSource().put("interval", "fast", "--interval")))
        .hasMessageContaining("interval = 'fast'")
        .hasMessageContaining("a duration such as 500ms, 10s, 1m");
  }

  /** Numbers too large for any duration are bad values like any other, not a crash with a stack trace. */
  @Test
  void aDurationTooLargeForAnyClockIsABadValue() {
    for (String huge : new String[] {"99999999999999999999s", "9999999999999999d", "99999999999999999y",
        "9223372036854775807s", "1000y"}) {
      assertThatThrownBy(() -> parse(new ConfigSource().put("interval", huge, "--interval")))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("interval = '" + huge + "'")
          .hasMessageContaining("a duration such as 500ms");
    }
  }

  @Test
  void anUnknownBackendListsTheKnownOnes() {
    assertThatThrownBy(() -> parse(new ConfigSource().put("devices", "rocm", "--devices")))
        .hasMessage("invalid configuration: devices = 'rocm': allowed values are auto, nvml, simulated");
  }

  @Test
  void anUnknownKeyIsAnErrorNotSilentlyIgnored(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("exporter.yaml");
    Files.writeString(file, "intervall: 1s\n");
    ConfigSource source = new ConfigSource().putYaml(file);
    assertThatThrownBy(() -> parse(source))
        .hasMessageContaining("unknown configuration key 'intervall' (from exporter.yaml)")
        .hasMessageContaining("interval");
  }

  @Test
  void aBadListenAddressSaysTheExpectedForm() {
    assertThatThrownBy(() -> parse(new ConfigSource().put("listen", "9835", "--listen")))
        .hasMessageContaining("listen = '9835': expected host:port");
    assertThatThrownBy(() -> parse(new ConfigSource().put("listen", "127.0.0.1:99999", "--listen")))
        .hasMessageContaining("listen = '99999': a whole number from 0 to 65535");
  }

  /** A host this node cannot bind is a configuration error (exit 2 naming the key), not a failed start (exit 1). */
  @Test
  void aListenHostThisNodeCannotBindNamesTheKey() throws Exception {
    // ".invalid" never resolves; a resolver that answers every name anyway gives an address of some other host.
    assertThatThrownBy(() -> parse(new ConfigSource().put("listen", "no-such-host.invalid:9835", "--listen")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("invalid configuration: listen = 'no-such-host.invalid:9835': a");
    assertThatThrownBy(() -> parse(new ConfigSource().put("listen", "[]:9835", "--listen")))
        .hasMessageStartingWith("invalid configuration: listen = '[]:9835': expected host:port");
    assertThatThrownBy(() -> parse(new ConfigSource().put("listen", "192.0.2.1:9835", "--listen")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("invalid configuration: listen = '192.0.2.1:9835': an address of this node");
    for (String good : new String[] {"127.0.0.1:0", "0.0.0.0:9835", "localhost:9835"}) {
      ExporterConfig config = parse(new ConfigSource().put("listen", good, "--listen"));
      assertThat(config.listenHost() + ":" + config.listenPort()).isEqualTo(good);
    }
  }

  @Test
  void simulatedDeviceCountIsBounded() {
    assertThatThrownBy(() -> parse(new ConfigSource().put("simulated.devices", "0", "--simulated-devices")))
        .hasMessageContaining("simulated.devices = '0': a whole number from 1 to 1024");
  }

  @Test
  void invalidYamlNamesTheFileAndLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, "interval: 1s\n  node: [\n");
    assertThatThrownBy(() -> new ConfigSource().putYaml(file))
        .hasMessageContaining("broken.yaml is not valid YAML")
        .hasMessageContaining("line");
  }

  /** Each of these used to be read without a word, keeping one value or none of what was written. */
  @Test
  void yamlThatWouldBeMisreadIsRefusedNamingTheProblem(@TempDir Path dir) throws Exception {
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put("interval: 10s\nnode: a\ninterval: 2s\n", "Duplicate field 'interval'");
    cases.put("kafka.bootstrap: a:9092\nkafka:\n  bootstrap: b:9092\n", "sets kafka.bootstrap twice");
    cases.put("interval: 2s\n---\nnode: b\n", "holds more than one YAML document");
    cases.put("interval: 2s\n---\nnode-b\n", "holds more than one YAML document"); // a plain value is content too
    cases.put("metrics:\n  exclude:\n    - name: x\n", "the items of metrics.exclude must be plain values");
    cases.put("attribution:\n  pod-labels: {}\n", "attribution.pod-labels is an empty mapping");
    int i = 0;
    for (Map.Entry<String, String> c : cases.entrySet()) {
      Path file = Files.writeString(dir.resolve("case" + i++ + ".yaml"), c.getKey());
      assertThatThrownBy(() -> new ConfigSource().putYaml(file)).as(c.getKey()).isInstanceOf(ConfigException.class)
          .hasMessageContaining(c.getValue());
    }
    for (String harmless : new String[] {"interval: 2s\n---\n", "interval: 2s\n---\n# nothing more\n",
        "---\ninterval: 2s\n"}) {
      Path file = Files.writeString(dir.resolve("harmless.yaml"), harmless);
      assertThat(parse(new ConfigSource().putYaml(file)).interval()).as(harmless).hasSeconds(2);
    }
    Path none = Files.writeString(dir.resolve("none.yaml"), "attribution:\n  pod-labels: \"\"\n");
    assertThat(parse(new ConfigSource().putYaml(none)).attribution().podLabels()).as("an empty value maps none")
        .isEmpty();
  }

  /** A flag's mapping replaces the file's as a whole, as documented: it does not merge with it. */
  @Test
  void aPodLabelMappingFromAFlagReplacesTheFilesWhole(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("exporter.yaml"),
        "attribution:\n  pod-labels:\n    tenant.id: tenant_id\n    team: team\n");
    ConfigSource fileOnly = ExporterConfig.source().putYaml(file);
    assertThat(parse(fileOnly).attribution().podLabels()).containsOnlyKeys("tenant.id", "team");
    ConfigSource replaced = ExporterConfig.source().putYaml(file)
        .put("attribution.pod-labels", "team=owner", "--pod-labels");
    assertThat(parse(replaced).attribution().podLabels()).containsExactly(Map.entry("team", "owner"));
    ConfigSource none = ExporterConfig.source().putYaml(file)
        .put("attribution.pod-labels", "", "--pod-labels");
    assertThat(parse(none).attribution().podLabels()).isEmpty();
  }

  @Test
  void aMissingFileSaysSo(@TempDir Path dir) {
    assertThatThrownBy(() -> new ConfigSource().putYaml(dir.resolve("nope.yaml")))
        .hasMessageContaining("nope.yaml does not exist");
  }

  @Test
  void environmentVariablesOverrideTheFileAndFlagsOverrideBoth(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("exporter.yaml");
    Files.writeString(file, "interval: 2s\nnode: from-file\n");
    java.util.Map<String, String> env = java.util.Map.of("ACCELTEL_INTERVAL", "3s", "ACCELTEL_NODE", "from-env",
        "ACCELTEL_SIMULATED_DEVICES", "5", "UNRELATED", "x");
    ExporterConfig config = parse(new ConfigSource().putYaml(file)
        .putEnvironment(env, "ACCELTEL_", ExporterConfig.keys())
        .put("node", "from-flag", "--node"));
    assertThat(config.interval()).isEqualTo(Duration.ofSeconds(3));
    assertThat(config.node()).isEqualTo("from-flag");
    assertThat(config.simulated().devices()).isEqualTo(5);
  }

  @Test
  void aBadEnvironmentValueNamesTheVariable() {
    ConfigSource source = new ConfigSource().putEnvironment(java.util.Map.of("ACCELTEL_KAFKA_BOOTSTRAP", "k:9092",
        "ACCELTEL_KAFKA_BUFFER_TICKS", "many"), "ACCELTEL_", ExporterConfig.keys());
    assertThat(source.origin("kafka.buffer-ticks")).isEqualTo("$ACCELTEL_KAFKA_BUFFER_TICKS");
    assertThatThrownBy(() -> parse(source)).hasMessageContaining("kafka.buffer-ticks = 'many'");
  }

  /** Kafka's client would throw with a stack trace on these (exit 1): a typo is a configuration error, exit 2. */
  @Test
  void aBootstrapThatIsNoListOfHostPortsNamesTheKey() throws Exception {
    for (String bad : new String[] {"localhost", "k:9092,", "k:90x2", "k:70000", ":9092", "k:0", "a b:9092"}) {
      assertThatThrownBy(() -> parse(new ConfigSource().put("kafka.bootstrap", bad, "--kafka"))).as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("invalid configuration: kafka.bootstrap = '" + bad + "'")
          .hasMessageContaining("comma-separated list of host:port");
    }
    assertThatThrownBy(() -> parse(new ConfigSource().put("kafka.bootstrap", "localhost", "--kafka")))
        .hasMessageEndingWith("(\"localhost\" has no port)");
    for (String good : new String[] {"k:9092", "kafka-0.kafka:9092, kafka-1.kafka:9093", "[::1]:9092",
        "SASL_SSL://broker.example.com:9094", "10.0.0.7:9092"}) {
      assertThat(parse(new ConfigSource().put("kafka.bootstrap", good, "--kafka")).kafka()).as(good).isPresent();
    }
  }

  /** The client would refuse every send, retried forever, and nothing would stream: a configuration error. */
  @Test
  void aTopicKafkaWouldRefuseNamesTheKey() throws Exception {
    for (String bad : new String[] {"acceltel metrics", "metrics/v1", "..", "t".repeat(250)}) {
      assertThatThrownBy(() -> parse(new ConfigSource().put("kafka.bootstrap", "k:9092", "--kafka")
          .put("kafka.topic", bad, "--kafka-topic"))).as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("invalid configuration: kafka.topic = '" + bad + "'")
          .hasMessageContaining("a Kafka topic name");
    }
    assertThat(parse(new ConfigSource().put("kafka.bootstrap", "k:9092", "--kafka")
        .put("kafka.topic", "team_a-gpu.metrics", "--kafka-topic")).kafka().orElseThrow().topic())
        .isEqualTo("team_a-gpu.metrics");
  }

  @Test
  void theSpoolIsOffUnlessItsDirectoryIsSet() throws Exception {
    ExporterConfig config = parse(new ConfigSource().put("kafka.bootstrap", "k:9092", "--kafka"));
    assertThat(config.kafka()).hasValueSatisfying(k -> assertThat(k.spool()).isEmpty());
  }

  @Test
  void theSpoolKeysComeFromTheFileAndTheEnvironment(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("exporter.yaml");
    Files.writeString(file, "kafka:\n  bootstrap: k:9092\n  spool-dir: /var/lib/acceltel/spool\n");
    ExporterConfig fromFile = parse(new ConfigSource().putYaml(file));
    assertThat(fromFile.kafka().orElseThrow().spool()).hasValue(
        new KafkaSinkSettings.Spool(Path.of("/var/lib/acceltel/spool"), 1L << 30));

    java.util.Map<String, String> env = java.util.Map.of("ACCELTEL_KAFKA_SPOOL_DIR", "/spool",
        "ACCELTEL_KAFKA_SPOOL_MAX_BYTES", "512MiB");
    ExporterConfig fromEnv = parse(new ConfigSource().putYaml(file)
        .putEnvironment(env, "ACCELTEL_", ExporterConfig.keys()));
    assertThat(fromEnv.kafka().orElseThrow().spool()).hasValue(
        new KafkaSinkSettings.Spool(Path.of("/spool"), 512L << 20));
  }

  @Test
  void spoolMaxBytesTakesBinaryUnitsOrPlainBytes() throws Exception {
    for (var entry : java.util.Map.of("2GiB", 2L << 30, "1048576", 1L << 20, "1TiB", 1L << 40, "4096 KiB",
        4L << 20).entrySet()) {
      ExporterConfig config = parse(new ConfigSource().put("kafka.bootstrap", "k:9092", "--kafka")
          .put("kafka.spool-dir", "/spool", "test").put("kafka.spool-max-bytes", entry.getKey(), "test"));
      assertThat(config.kafka().orElseThrow().spool().orElseThrow().maxBytes()).as(entry.getKey())
          .isEqualTo(entry.getValue());
    }
  }

  @Test
  void aBadSpoolMaxBytesNamesTheKeyAndTheAllowedForms() {
    for (String bad : java.util.List.of("1GB", "lots", "-5", "512KiB", "2TiB", "99999999999999999999")) {
      ConfigSource source = new ConfigSource().put("kafka.bootstrap", "k:9092", "--kafka")
          .put("kafka.spool-dir", "/spool", "test").put("kafka.spool-max-bytes", bad, "test");
      assertThatThrownBy(() -> parse(source)).isInstanceOf(ConfigException.class)
          .hasMessage("invalid configuration: kafka.spool-max-bytes = '" + bad + "': a size such as 512MiB or 1GiB "
              + "(B, KiB, MiB, GiB, TiB; a plain number is bytes) from 1MiB to 1TiB");
    }
  }

  @Test
  void metricExclusionsAreResolvedAgainstTheCatalogAndAMisspeltOneNamesTheKey() throws Exception {
    assertThat(parse(new ConfigSource()).exclusions().isEmpty()).isTrue();
    ExporterConfig config = parse(new ConfigSource()
        .put("metrics.exclude", "accelerator_nvlink_*, accelerator_fan_speed_ratio", "--exclude-metrics"));
    assertThat(config.exclusions().patterns()).containsExactly("accelerator_nvlink_*", "accelerator_fan_speed_ratio");
    assertThatThrownBy(() -> parse(new ConfigSource()
        .put("metrics.exclude", "accelerator_nvlnk_*", "--exclude-metrics")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid configuration: metrics.exclude = 'accelerator_nvlnk_*': 'accelerator_nvlnk_*' matches "
            + "no device metric; the names are listed in docs/metrics.md (e.g. accelerator_nvlink_*)");
  }

  @Test
  void metricExclusionsReadAsAYamlList(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("exporter.yaml");
    Files.writeString(file, "metrics:\n  exclude:\n    - accelerator_nvlink_*\n    - accelerator_process_*\n");
    assertThat(parse(new ConfigSource().putYaml(file)).exclusions().patterns())
        .containsExactly("accelerator_nvlink_*", "accelerator_process_*");
  }

  @Test
  void spoolMaxBytesWithoutASpoolDirectorySaysWhatIsMissing() {
    ConfigSource source = new ConfigSource().put("kafka.bootstrap", "k:9092", "--kafka")
        .put("kafka.spool-max-bytes", "1GiB", "test");
    assertThatThrownBy(() -> parse(source)).hasMessage("invalid configuration: kafka.spool-max-bytes = '1GiB': it "
        + "bounds the on-disk spool, so it needs kafka.spool-dir as well");
  }
}
