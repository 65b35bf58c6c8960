package io.acceltel.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.aggregator.Aggregator;
import io.acceltel.aggregator.AggregatorSettings;
import io.acceltel.aggregator.rules.AggregationRule;
import io.acceltel.aggregator.storage.RawSeries;
import io.acceltel.kafka.EmbeddedKafka;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.otlp.OtlpEncoder;
import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.acceltel.model.snapshot.Vendor;
import io.acceltel.model.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay where one partition's records are small (a node with one GPU) and the other's large (a node with 64):
 * the consumer fetches about the same bytes from each, so without pausing the first would run forty minutes of
 * ticks ahead of the second, and the fleet-wide rollup would be written from part of the fleet.
 */
class KafkaReplayAlignmentTest {
  private static final String TOPIC = "acceltel.metrics.v1";
  private static final int TICKS = 1200;

  private static byte[] node(String name, int gpus, long t) {
    List<DeviceSnapshot> devices = new ArrayList<>();
    for (int g = 0; g < gpus; g++) {
      DeviceSnapshot.Builder d = DeviceSnapshot.builder(new DeviceIdentity(g,
          "GPU-" + name + "-0000-0000-0000-" + String.format("%012d", g), "NVIDIA H100 80GB HBM3", Vendor.NVIDIA));
      d.set(MetricCatalog.POWER, 100);
      d.set(MetricCatalog.TEMPERATURE, 50 + g % 7);
      d.set(MetricCatalog.MEMORY_USED, 7.0e10 + g);
      devices.add(d.build());
    }
    return new OtlpEncoder("test").encode(new NodeSnapshot(name, t, devices));
  }

  @Test
  void aRollupOverPartitionsReplayedAtDifferentSpeedsHasEveryNodeInEveryWindow(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Settings.of(dir.resolve("kafka"))
        .withPartitions(2))) {
      long t0 = (System.currentTimeMillis() - 7_200_000L) / 10_000 * 10_000;
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
          kafka.bootstrapServers(), "acks", "all", "linger.ms", "20"), new ByteArraySerializer(),
          new ByteArraySerializer())) {
        for (int i = 0; i < TICKS; i++) {
          // Every 2 s: one poll's 500 records of the small node span 1000 s, past the aggregation's 10-minute
          // limit, so the partition must be stopped within the poll, not only at the next one.
          long t = t0 + i * 2000L;
          producer.send(new ProducerRecord<>(TOPIC, 0, t, "small".getBytes(StandardCharsets.UTF_8),
              node("small", 1, t)));
          producer.send(new ProducerRecord<>(TOPIC, 1, t, "large".getBytes(StandardCharsets.UTF_8),
              node("large", 64, t)));
        }
        producer.flush();
      }
      AggregationRule fleet = new AggregationRule("fleet:accelerator_power_watts:sum10s",
          "accelerator_power_watts", AggregationRule.Op.SUM, List.of(), Duration.ofSeconds(10));
      try (Aggregator aggregator = Aggregator.start(AggregatorSettings.defaults(dir.resolve("aggregator"),
          Optional.of(kafka.bootstrapServers())).withPartitions(List.of(0, 1)).withListen("127.0.0.1", 0),
          List.of(fleet))) {
        Await.until("both partitions consumed", Duration.ofSeconds(120), () -> {
          Map<String, Long> offsets = aggregator.consumedOffsets();
          return offsets.getOrDefault(TOPIC + "/0", 0L) >= TICKS && offsets.getOrDefault(TOPIC + "/1", 0L) >= TICKS;
        });
        List<RawSeries> rollup = aggregator.storage().querier().selectRaw(List.of(LabelMatcher.equal("__name__",
            "fleet:accelerator_power_watts:sum10s")), Long.MIN_VALUE, Long.MAX_VALUE);
        assertThat(rollup).hasSize(1);
        double[] values = rollup.get(0).values();
        assertThat(values.length).as("windows written").isGreaterThan(TICKS / 5 - 5);
        for (int i = 0; i < values.length; i++) {
          assertThat(values[i]).as("window %d: 65 GPUs at 100 W", i).isEqualTo(65 * 100.0);
        }
      }
    }
  }
}
