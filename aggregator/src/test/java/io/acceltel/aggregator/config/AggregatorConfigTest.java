package io.acceltel.aggregator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.model.config.ConfigException;

import io.acceltel.aggregator.storage.Resolution;
import io.acceltel.model.config.ConfigSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AggregatorConfigTest {
  @Test
  void kafkaSecurityIsReadFromTheSameKeysAsTheExportersAndTheSecretStaysInItsFile(@TempDir Path dir)
      throws Exception {
    Path password = Files.writeString(dir.resolve("password"), "agg-secret\n");
    Path file = dir.resolve("aggregator.yaml");
    Files.writeString(file, "kafka:\n  bootstrap: k:9093\n  security-protocol: SASL_SSL\n"
        + "  sasl-mechanism: SCRAM-SHA-256\n  sasl-username: aggregator\n  sasl-password-file: " + password + "\n");
    AggregatorConfig config = AggregatorConfig.parse(new ConfigSource().putYaml(file));
    assertThat(config.settings().kafkaSecurity().clientProperties())
        .containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-256");
    assertThat(config.settings().toString()).contains("SASL_SSL SCRAM-SHA-256 as aggregator")
        .doesNotContain("agg-secret");
  }

  @Test
  void readsTheDocumentedFileWithRetentionAndRules(@TempDir Path dir) throws Exception {
    Path rules = dir.resolve("rules.yaml");
    Files.writeString(rules, "aggregation_rules:\n  - record: job:u:avg10s\n    metric: accelerator_utilization_ratio\n"
        + "    op: avg\n    by: [namespace, job_name]\n    interval: 10s\n");
    Path file = dir.resolve("aggregator.yaml");
    Files.writeString(file, "data-dir: " + dir.resolve("data") + "\nlisten: 0.0.0.0:9999\nkafka:\n"
        + "  bootstrap: k:9092\n  partitions: 2,3\ncheckpoint-every: 30s\n"
        + "retention: {raw: 12h, 10s: 7d, 1h: 0s}\nrules: " + rules + "\n"
        + "query-cache: {max-bytes: 512MiB, recent: 2m}\nmax-series: 250000\n");
    AggregatorConfig config = AggregatorConfig.parse(new ConfigSource().putYaml(file));
    assertThat(config.settings().kafka()).contains("k:9092");
    assertThat(config.settings().partitions()).containsExactly(2, 3);
    assertThat(config.settings().listenHost()).isEqualTo("0.0.0.0");
    assertThat(config.settings().listenPort()).isEqualTo(9999);
    assertThat(config.settings().checkpointEvery()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.settings().maxSeries()).isEqualTo(250_000);
    assertThat(config.settings().storage().retentionMillis(Resolution.RAW)).isEqualTo(Duration.ofHours(12).toMillis());
    assertThat(config.settings().storage().retentionMillis(Resolution.of(Duration.ofSeconds(10))))
        .isEqualTo(Duration.ofDays(7).toMillis());
    assertThat(config.settings().storage().retentionMillis(Resolution.of(Duration.ofHours(1)))).isZero();
    assertThat(config.rules()).hasSize(1);
    assertThat(config.settings().queryCache().maxBytes()).isEqualTo(512L << 20);
    assertThat(config.settings().queryCache().recent()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void aBootstrapWithoutAPortIsAConfigurationErrorNamingTheKey() {
    assertThatThrownBy(() -> AggregatorConfig.parse(new ConfigSource().put("kafka.bootstrap", "kafka", "--kafka")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("invalid configuration: kafka.bootstrap = 'kafka'")
        .hasMessageEndingWith("(\"kafka\" has no port)");
  }

  /** The dead-letter topic adds '.dlq', which must fit Kafka's 249 characters too. */
  @Test
  void aTopicKafkaWouldRefuseNamesTheKey() {
    for (String bad : new String[] {"a b", "t".repeat(246)}) {
      assertThatThrownBy(() -> AggregatorConfig.parse(new ConfigSource().put("kafka.bootstrap", "k:9092", "--kafka")
          .put("kafka.topic", bad, "--topic"))).as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("invalid configuration: kafka.topic = '" + bad + "'")
          .hasMessageContaining("at most 245 characters");
    }
  }

  /** Without a bootstrap server the aggregator takes remote_write only: a Kafka key then would do nothing. */
  @Test
  void kafkaKeysWithoutABootstrapServerAreRefused() {
    assertThatThrownBy(() -> AggregatorConfig.parse(new ConfigSource().put("kafka.partitions", "0,1", "--partitions")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid configuration: kafka.partitions = '0,1': kafka.* settings need kafka.bootstrap as well");
  }

  @Test
  void environmentAndFlagsOverrideTheFileByTheSameRule() throws Exception {
    ConfigSource source = new ConfigSource()
        .put("kafka.bootstrap", "from-file:9092", "aggregator.yaml")
        .putEnvironment(Map.of("ACCELTEL_AGGREGATOR_KAFKA_BOOTSTRAP", "from-env:9092"), "ACCELTEL_AGGREGATOR_",
            AggregatorConfig.keys())
        .put("kafka.partitions", "7", "--partitions");
    AggregatorConfig config = AggregatorConfig.parse(source);
    assertThat(config.settings().kafka()).contains("from-env:9092");
    assertThat(config.settings().partitions()).isEqualTo(List.of(7));
  }

  @Test
  void errorsNameTheKeyTheValueAndWhatIsAllowed() {
    assertThatThrownBy(() -> AggregatorConfig.parse(new ConfigSource().put("kafka.bootstrap", "k:9092", "--kafka")
        .put("kafka.partitions", "0,x", "--partitions")))
        .hasMessage("invalid configuration: kafka.partitions = 'x': a whole number from 0 to 100000");
    assertThatThrownBy(() -> AggregatorConfig.parse(new ConfigSource().put("retention.raw", "forever", "f")))
        .hasMessageContaining("retention.raw = 'forever'").hasMessageContaining("a duration such as");
    assertThatThrownBy(() -> AggregatorConfig.parse(new ConfigSource().put("retention.2h", "1d", "f")))
        .hasMessageContaining("unknown configuration key 'retention.2h'");
    assertThatThrownBy(() -> AggregatorConfig.parse(new ConfigSource().put("rules", "/nope.yaml", "--rules")))
        .hasMessageContaining("rules = '/nope.yaml'");
    assertThatThrownBy(() -> AggregatorConfig.parse(new ConfigSource().put("max-series", "0", "--max-series")))
        .hasMessage("invalid configuration: max-series = '0': a whole number from 1 to 2147483647");
    assertThatThrownBy(() -> AggregatorConfig.parse(new ConfigSource().put("query-cache.max-bytes", "lots", "f")))
        .hasMessage("invalid configuration: query-cache.max-bytes = 'lots': a size such as 512MiB or 1GiB (B, KiB, "
            + "MiB, GiB, TiB; a plain number is bytes) from 0 to 1TiB");
  }
}
