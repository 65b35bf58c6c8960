package io.acceltel.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.aggregator.Aggregator;
import io.acceltel.aggregator.AggregatorSettings;
import io.acceltel.aggregator.storage.RawSeries;
import io.acceltel.kafka.EmbeddedKafka;
import io.acceltel.model.config.KafkaSecurity;
import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.testing.Await;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aggregator consuming over SASL/PLAIN from Apache Kafka's broker on loopback: the ticks are stored, and a
 * poison record reaches the dead-letter topic through the same login.
 */
class KafkaSaslIngestTest {
  private static final String TOPIC = "acceltel.metrics.v1";

  private static byte[] tick(long t) {
    return KafkaTicks.powerTick("node-s", "GPU-sasl", t, 300);
  }

  /** {@code ticks} ticks of node-s a minute ago, then, when {@code poison}, a record that does not decode. */
  private static void send(EmbeddedKafka kafka, int ticks, boolean poison) throws Exception {
    long t0 = System.currentTimeMillis() / 1000 * 1000 - 60_000;
    byte[] key = "node-s".getBytes(StandardCharsets.UTF_8);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
        kafka.bootstrapServers(), "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < ticks; i++) {
        producer.send(new ProducerRecord<>(TOPIC, key, tick(t0 + i * 1000L))).get();
      }
      if (poison) {
        producer.send(new ProducerRecord<>(TOPIC, key, new byte[] {1, 2, 3})).get();
      }
    }
  }

  /** An aggregator of partition 0 that logs in to the broker's SASL port, its password in a file. */
  private static AggregatorSettings overSasl(Path dir, EmbeddedKafka kafka, String mechanism, String user,
      String password) throws Exception {
    Path file = Files.writeString(dir.resolve("password"), password + "\n");
    KafkaSecurity security = KafkaSecurity.parse(Map.of("kafka.security-protocol", "SASL_PLAINTEXT",
        "kafka.sasl-mechanism", mechanism, "kafka.sasl-username", user, "kafka.sasl-password-file", file.toString()));
    return AggregatorSettings.defaults(dir.resolve("aggregator"), Optional.of(kafka.saslBootstrapServers()))
        .withPartitions(List.of(0)).withListen("127.0.0.1", 0).withKafkaSecurity(security);
  }

  private static void await(String what, BooleanSupplier condition) {
    Await.until(what, Duration.ofSeconds(60), condition);
  }

  /**
   * A login the broker refuses (here: SCRAM credentials not created yet, as in a rollout that starts the aggregator
   * first) stops nothing for good: the ingest retries, counts each failure, and consumes once the login works.
   */
  @Test
  void anIngestThatCannotLogInRetriesUntilItCan(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Settings.of(dir.resolve("kafka"))
        .withPartitions(1).withSaslPlainUsers(Map.of("someone-else", "x")))) {
      send(kafka, 3, false);
      try (Aggregator aggregator = Aggregator.start(overSasl(dir, kafka, "SCRAM-SHA-256", "late", "late-pw-3"))) {
        await("a refused login counted", () -> ingestFailures(aggregator) >= 1);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
          admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("late",
              new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), "late-pw-3"))).all().get();
        }
        await("all 3 records consumed", () -> aggregator.consumedOffsets().getOrDefault(TOPIC + "/0", 0L) >= 3);
        await("no lag left", () -> kafkaLag(aggregator) == 0.0);
        var stored = storedPower(aggregator);
        assertThat(stored.get(0).timestamps()).hasSize(3);
      }
    }
  }

  private static List<RawSeries> storedPower(Aggregator aggregator) {
    return aggregator.storage().querier().selectRaw(
        List.of(LabelMatcher.equal("__name__", "accelerator_power_watts")), Long.MIN_VALUE, Long.MAX_VALUE);
  }

  /** The lag gauge of partition 0, or NaN while it has none. */
  private static double kafkaLag(Aggregator aggregator) {
    var scraped = aggregator.registry().scrape("acceltel_aggregator_kafka_lag_records"::equals);
    return scraped.stream().flatMap(m -> ((GaugeSnapshot) m).getDataPoints().stream())
        .filter(p -> (TOPIC + "/0").equals(p.getLabels().get("partition")))
        .mapToDouble(GaugeSnapshot.GaugeDataPointSnapshot::getValue).findFirst().orElse(Double.NaN);
  }

  static double ingestFailures(Aggregator aggregator) {
    return KafkaTicks.counterTotal(aggregator, "acceltel_aggregator_ingest_failures", labels -> true);
  }

  @Test
  void ticksArriveAndPoisonIsDeadLetteredOverASaslLogin(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Settings.of(dir.resolve("kafka"))
        .withPartitions(1).withSaslPlainUsers(Map.of("aggregator", "agg-pw-7")))) {
      send(kafka, 5, true);
      try (Aggregator aggregator = Aggregator.start(overSasl(dir, kafka, "PLAIN", "aggregator", "agg-pw-7"))) {
        await("all 6 records consumed", () -> aggregator.consumedOffsets().getOrDefault(TOPIC + "/0", 0L) >= 6);
        var stored = storedPower(aggregator);
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).timestamps()).hasSize(5);

        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
            kafka.bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
          TopicPartition dlq = new TopicPartition(TOPIC + ".dlq", 0);
          await("the dead-letter topic", () -> !consumer.partitionsFor(dlq.topic()).isEmpty()
              && consumer.endOffsets(List.of(dlq)).get(dlq) >= 1);
        }
      }
    }
  }
}
