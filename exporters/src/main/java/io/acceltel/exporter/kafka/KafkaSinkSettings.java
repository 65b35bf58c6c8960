package io.acceltel.exporter.kafka;

import java.time.Duration;
import java.util.Objects;

/**
 * Where and how the exporter streams ticks.
 *
 * @param bootstrapServers the Kafka cluster, e.g. {@code kafka-0.kafka:9092}
 * @param topic default {@code acceltel.metrics.v1}
 * @param compression {@code zstd} (default, chosen by benchmark: see docs/benchmarks.md), {@code lz4} or
 *     {@code none}
 * @param bufferTicks how many unacknowledged ticks to hold while Kafka is unreachable; beyond it the oldest are
 *     dropped and counted (600 = ten minutes at 1 Hz)
 * @param sendTimeout how long one attempt may take before it is retried
 */
public record KafkaSinkSettings(String bootstrapServers, String topic, String compression, int bufferTicks,
    Duration sendTimeout) {
  public static final String DEFAULT_TOPIC = "acceltel.metrics.v1";

  public KafkaSinkSettings {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(topic, "topic");
    if (bufferTicks < 1) {
      throw new IllegalArgumentException("bufferTicks must be at least 1");
    }
  }

  public static KafkaSinkSettings of(String bootstrapServers) {
    return new KafkaSinkSettings(bootstrapServers, DEFAULT_TOPIC, "zstd", 600, Duration.ofSeconds(10));
  }

  public KafkaSinkSettings withBufferTicks(int ticks) {
    return new KafkaSinkSettings(bootstrapServers, topic, compression, ticks, sendTimeout);
  }

  public KafkaSinkSettings withTopic(String topic) {
    return new KafkaSinkSettings(bootstrapServers, topic, compression, bufferTicks, sendTimeout);
  }

  public KafkaSinkSettings withCompression(String compression) {
    return new KafkaSinkSettings(bootstrapServers, topic, compression, bufferTicks, sendTimeout);
  }

  public KafkaSinkSettings withSendTimeout(Duration timeout) {
    return new KafkaSinkSettings(bootstrapServers, topic, compression, bufferTicks, timeout);
  }
}
