package io.acceltel.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {
  @Test
  void keepsRecordsAcrossARestartOnTheSameDataDirectory(@TempDir Path dir) throws Exception {
    EmbeddedKafka.Settings settings;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Settings.of(dir).withPartitions(1))) {
      settings = kafka.settings();
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
          "bootstrap.servers", kafka.bootstrapServers(), "acks", "all", "enable.idempotence", "true"),
          new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>("t", "node-1", "tick-1")).get();
      }
    }
    try (EmbeddedKafka kafka = EmbeddedKafka.start(settings);
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
            "bootstrap.servers", kafka.bootstrapServers(), "auto.offset.reset", "earliest"),
            new StringDeserializer(), new StringDeserializer())) {
      TopicPartition tp = new TopicPartition("t", 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      List<String> values = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(r.key() + "=" + r.value());
        }
      }
      assertThat(values).containsExactly("node-1=tick-1");
    }
  }
}
