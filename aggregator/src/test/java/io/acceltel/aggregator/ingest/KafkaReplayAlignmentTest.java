package io.acceltel.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.aggregator.Aggregator;
import io.acceltel.aggregator.AggregatorSettings;
import io.acceltel.aggregator.storage.Resolution;
import io.acceltel.aggregator.storage.StorageConfig;
import io.acceltel.kafka.EmbeddedKafka;
import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backlog replayed from two partitions of very different density: partition 0 holds 20 nodes' ticks, partition 1
 * one node's, so each fetch of partition 1 covers 20 times the data time. Unaligned, partition 1 races ahead and the
 * checkpoints cut the raw blocks partition 0 is still filling, refusing its samples as too old. Aligned, every
 * sample of every node is stored.
 */
class KafkaReplayAlignmentTest {
  private static final String TOPIC = "acceltel.metrics.v1";
  private static final int DENSE_NODES = 20;
  private static final int SECONDS = 600;

  @Test
  void aPartitionFarAheadWaitsSoThatNoBlockIsCutBeforeTheSlowerOneFillsIt(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Settings.of(dir.resolve("kafka"))
        .withPartitions(2))) {
      long t0 = (System.currentTimeMillis() - Duration.ofMinutes(30).toMillis()) / 120_000 * 120_000;
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
          kafka.bootstrapServers(), "acks", "all", "linger.ms", 20), new ByteArraySerializer(),
          new ByteArraySerializer())) {
        for (int s = 0; s < SECONDS; s++) {
          long t = t0 + s * 1000L;
          for (int n = 0; n < DENSE_NODES; n++) {
            send(producer, 0, "dense-" + n, t);
          }
          send(producer, 1, "sparse", t);
        }
        producer.flush();
      }

      // Two-minute raw blocks: a block is cut once the newest sample is a minute past its end, and partitions are
      // kept within 30 s of each other. A checkpoint every 20 ms cuts them while the replay runs.
      StorageConfig storage = StorageConfig.builder().blockDuration(Resolution.RAW, Duration.ofMinutes(2)).build();
      assertThat(storage.maxPartitionSkew()).isEqualTo(Duration.ofSeconds(30));
      AggregatorSettings settings = AggregatorSettings.defaults(dir.resolve("aggregator"),
          Optional.of(kafka.bootstrapServers())).withPartitions(List.of(0, 1)).withListen("127.0.0.1", 0)
          .withStorage(storage).withCheckpointEvery(Duration.ofMillis(20));
      try (Aggregator aggregator = Aggregator.start(settings)) {
        long denseEnd = (long) SECONDS * DENSE_NODES;
        Await.until("the aggregator consumes both partitions", Duration.ofSeconds(60),
            () -> aggregator.consumedOffsets().getOrDefault(TOPIC + "/0", 0L) >= denseEnd
                && aggregator.consumedOffsets().getOrDefault(TOPIC + "/1", 0L) >= SECONDS);

        assertThat(tooOld(aggregator)).as("samples refused as older than the blocks already cut").isZero();
        var stored = aggregator.storage().querier().selectRaw(
            List.of(LabelMatcher.equal("__name__", "accelerator_power_watts")), Long.MIN_VALUE, Long.MAX_VALUE);
        assertThat(stored).hasSize(DENSE_NODES + 1);
        stored.forEach(series -> assertThat(series.timestamps()).as(series.labels().toString()).hasSize(SECONDS));
        assertThat(aggregator.storage().stats().blocks().get(Resolution.RAW)).as("raw blocks the replay cut")
            .isGreaterThanOrEqualTo(3);
      }
    }
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, int partition, String node, long t) {
    byte[] tick = KafkaTicks.powerTick(node, "GPU-" + node, t, 300 + t % 11);
    producer.send(new ProducerRecord<>(TOPIC, partition, t, node.getBytes(StandardCharsets.UTF_8), tick));
  }

  private static double tooOld(Aggregator aggregator) {
    return KafkaTicks.counterTotal(aggregator, "acceltel_aggregator_samples_dropped",
        labels -> "too_old".equals(labels.get("reason")));
  }
}
