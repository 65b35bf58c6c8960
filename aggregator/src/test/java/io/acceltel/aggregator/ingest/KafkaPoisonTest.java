package io.acceltel.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.aggregator.Aggregator;
import io.acceltel.aggregator.AggregatorSettings;
import io.acceltel.kafka.EmbeddedKafka;
import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random and truncated records on the metrics topic, between valid ticks: the aggregator never stops, every record
 * it refuses is counted and copied to the dead-letter topic with its source offset, and every valid tick is stored.
 */
class KafkaPoisonTest {
  private static final String TOPIC = "acceltel.metrics.v1";

  private static byte[] tick(long t) {
    return KafkaTicks.powerTick("node-f", "GPU-fuzz", t, 100 + t % 7);
  }

  @Test
  void poisonRecordsAreCountedAndDeadLetteredAndNeverStopTheConsumer(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Settings.of(dir.resolve("kafka"))
        .withPartitions(1))) {
      Random random = new Random(11);
      long t0 = System.currentTimeMillis() / 1000 * 1000 - 600_000;
      byte[] valid = tick(t0);
      Set<Long> fuzzedOffsets = new HashSet<>();
      List<Long> validTimes = new ArrayList<>();
      long lastOffset = -1;
      // As the exporter's producer: up to 8 MiB before compression, zstd.
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
          kafka.bootstrapServers(), "acks", "all", "max.request.size", 8 << 20, "compression.type", "zstd"),
          new ByteArraySerializer(), new ByteArraySerializer())) {
        for (int i = 0; i < 300; i++) {
          byte[] value;
          boolean fuzzed = i % 3 != 0;
          if (!fuzzed) {
            long t = t0 + i * 1000L;
            value = tick(t);
            validTimes.add(t);
          } else if (i % 3 == 1) {
            value = new byte[1 + random.nextInt(300)];
            random.nextBytes(value);
          } else {
            value = Arrays.copyOf(valid, 1 + random.nextInt(valid.length - 1));
          }
          RecordMetadata m = producer.send(new ProducerRecord<>(TOPIC, "node-f".getBytes(StandardCharsets.UTF_8),
              value)).get();
          if (fuzzed) {
            fuzzedOffsets.add(m.offset());
          }
          lastOffset = m.offset();
        }
        // Over the 1 MiB a default producer allows: its dead-letter copy must go through all the same.
        byte[] large = new byte[3 << 20];
        Arrays.fill(large, (byte) 0xFF); // a varint that never ends: undecodable
        RecordMetadata m = producer.send(new ProducerRecord<>(TOPIC, "node-f".getBytes(StandardCharsets.UTF_8),
            large)).get();
        fuzzedOffsets.add(m.offset());
        lastOffset = m.offset();
      }

      AggregatorSettings settings = AggregatorSettings.defaults(dir.resolve("aggregator"),
          Optional.of(kafka.bootstrapServers())).withPartitions(List.of(0)).withListen("127.0.0.1", 0);
      try (Aggregator aggregator = Aggregator.start(settings)) {
        long end = lastOffset + 1;
        Await.until("the aggregator consumes past the poison", Duration.ofSeconds(60),
            () -> aggregator.consumedOffsets().getOrDefault(TOPIC + "/0", 0L) >= end);
        var stored = aggregator.storage().querier().selectRaw(
            List.of(LabelMatcher.equal("__name__", "accelerator_power_watts")), Long.MIN_VALUE, Long.MAX_VALUE);
        assertThat(stored).hasSize(1);
        List<Long> storedTimes = new ArrayList<>();
        for (long t : stored.get(0).timestamps()) {
          storedTimes.add(t);
        }
        assertThat(storedTimes).as("every valid tick is stored").containsAll(validTimes);

        Set<Long> deadLettered = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
            kafka.bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
          TopicPartition dlq = new TopicPartition(TOPIC + ".dlq", 0);
          consumer.assign(List.of(dlq));
          consumer.seekToBeginning(List.of(dlq));
          double counted = poisonCounted(aggregator);
          long waitUntil = System.nanoTime() + Duration.ofSeconds(30).toNanos();
          while (deadLettered.size() < counted && System.nanoTime() < waitUntil) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
              deadLettered.add(Long.parseLong(new String(r.headers().lastHeader("acceltel.source.offset").value(),
                  StandardCharsets.UTF_8)));
              assertThat(r.headers().lastHeader("acceltel.poison.kind")).isNotNull();
            }
          }
          assertThat(counted).as("most fuzzed records are poison").isGreaterThan(fuzzedOffsets.size() / 2.0);
          assertThat((double) deadLettered.size()).as("every counted record is in the dead-letter topic")
              .isEqualTo(counted);
          assertThat(fuzzedOffsets).as("only fuzzed records are dead-lettered").containsAll(deadLettered);
          assertThat(deadLettered).as("the 3 MiB record too").contains(lastOffset);
        }
      }
    }
  }

  /** The aggregator's own count of refused records, as it exposes it on /metrics. */
  private static double poisonCounted(Aggregator aggregator) {
    return KafkaTicks.counterTotal(aggregator, "acceltel_aggregator_poison_records", labels -> true);
  }
}
