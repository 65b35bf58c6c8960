package io.acceltel.exporter.kafka;

import io.acceltel.model.config.KafkaSecurity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how the exporter streams ticks.
 *
 * @param bootstrapServers the Kafka cluster, e.g. {@code kafka-0.kafka:9092}
 * @param topic default {@code acceltel.metrics.v1}
 * @param compression {@code zstd} (default, chosen by benchmark: see docs/benchmarks.md), {@code lz4} or
 *     {@code none}
 * @param bufferTicks how many unacknowledged ticks to hold in memory while Kafka is unreachable; beyond it the
 *     oldest go to the spool, or without one are dropped and counted (600 = ten minutes at 1 Hz)
 * @param sendTimeout how long one attempt may take before it is retried
 * @param spool where ticks beyond {@code bufferTicks} wait on disk; empty: memory only
 * @param security TLS and SASL of the connection ({@link KafkaSecurity#PLAINTEXT} by default)
 */
public record KafkaSinkSettings(String bootstrapServers, String topic, String compression, int bufferTicks,
    Duration sendTimeout, Optional<Spool> spool, KafkaSecurity security) {
  public static final String DEFAULT_TOPIC = "acceltel.metrics.v1";

  /**
   * The on-disk spool.
   *
   * @param directory owned by one exporter; created if missing
   * @param maxBytes bound of the segment files together; beyond it the oldest segment is dropped and counted
   */
  public record Spool(Path directory, long maxBytes) {
    public static final long DEFAULT_MAX_BYTES = 1L << 30;

    public Spool {
      Objects.requireNonNull(directory, "directory");
      if (maxBytes < 1) {
        throw new IllegalArgumentException("maxBytes must be at least 1");
      }
    }
  }

  public KafkaSinkSettings {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(spool, "spool");
    Objects.requireNonNull(security, "security");
    if (bufferTicks < 1) {
      throw new IllegalArgumentException("bufferTicks must be at least 1");
    }
  }

  public static KafkaSinkSettings of(String bootstrapServers) {
    return new KafkaSinkSettings(bootstrapServers, DEFAULT_TOPIC, "zstd", 600, Duration.ofSeconds(10),
        Optional.empty(), KafkaSecurity.PLAINTEXT);
  }

  public KafkaSinkSettings withBufferTicks(int ticks) {
    return new KafkaSinkSettings(bootstrapServers, topic, compression, ticks, sendTimeout, spool, security);
  }

  public KafkaSinkSettings withTopic(String topic) {
    return new KafkaSinkSettings(bootstrapServers, topic, compression, bufferTicks, sendTimeout, spool, security);
  }

  public KafkaSinkSettings withCompression(String compression) {
    return new KafkaSinkSettings(bootstrapServers, topic, compression, bufferTicks, sendTimeout, spool, security);
  }

  public KafkaSinkSettings withSendTimeout(Duration timeout) {
    return new KafkaSinkSettings(bootstrapServers, topic, compression, bufferTicks, timeout, spool, security);
  }

  public KafkaSinkSettings withSecurity(KafkaSecurity security) {
    return new KafkaSinkSettings(bootstrapServers, topic, compression, bufferTicks, sendTimeout, spool, security);
  }

  public KafkaSinkSettings withSpool(Path directory, long maxBytes) {
    return new KafkaSinkSettings(bootstrapServers, topic, compression, bufferTicks, sendTimeout,
        Optional.of(new Spool(directory, maxBytes)), security);
  }
}
