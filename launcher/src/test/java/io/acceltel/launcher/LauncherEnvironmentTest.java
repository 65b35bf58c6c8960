package io.acceltel.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.config.ExporterConfig;
import io.acceltel.model.config.ConfigSource;
import io.acceltel.model.testing.LogCapture;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LauncherEnvironmentTest {
  /** A misspelt variable in a pod spec is named in a warning with the key it was probably meant for. */
  @Test
  void aVariableThatSetsNoKeyIsWarnedAboutWithTheLikelyKey() {
    try (LogCapture log = LogCapture.of(LauncherEnvironment.class)) {
      ConfigSource source = new ConfigSource();
      LauncherEnvironment.putInto(source, Map.of(
              "ACCELTEL_LISTEN_ADDR", "0.0.0.0:9835",
              "ACCELTEL_NODE", "gpu-7",
              "ACCELTEL_NO_BUILD", "1",
              "ACCELTEL_AGGREGATOR_DATA_DIR", "/data",
              "ACCELTEL_KAFKA_SERVICE_HOST", "10.0.0.7",
              "ACCELTEL_KAFKA_PORT", "tcp://10.0.0.7:9092",
              "ACCELTEL_KAFKA_PORT_9092_TCP_ADDR", "10.0.0.7",
              "HOME", "/root"),
          "ACCELTEL_", ExporterConfig.keys(), name -> name.startsWith(AggregatorCommand.ENVIRONMENT_PREFIX));
      assertThat(source.values()).containsExactly(Map.entry("node", "gpu-7"));
      assertThat(log.messages()).singleElement().asString()
          .startsWith("ignoring ACCELTEL_LISTEN_ADDR: no configuration key has that name (did you mean "
              + "ACCELTEL_LISTEN?");
    }
  }

  @Test
  void theClosestNameIsTheFewestEditsAway() {
    List<String> known = List.of("ACCELTEL_KAFKA_TOPIC", "ACCELTEL_KAFKA_BOOTSTRAP", "ACCELTEL_LISTEN");
    assertThat(LauncherEnvironment.closest("ACCELTEL_KAFKA_BOOTSTRAP_SERVERS", known))
        .isEqualTo("ACCELTEL_KAFKA_BOOTSTRAP");
    assertThat(LauncherEnvironment.closest("ACCELTEL_KAFKA_TOPICS", known)).isEqualTo("ACCELTEL_KAFKA_TOPIC");
  }
}
