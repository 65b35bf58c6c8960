package io.acceltel.bench;

import io.acceltel.aggregator.Aggregator;
import io.acceltel.aggregator.AggregatorSettings;
import io.acceltel.exporter.collect.CollectionLoop;
import io.acceltel.exporter.device.BackendContext.SimulatedSettings;
import io.acceltel.exporter.simulated.SimulatedBackend;
import io.acceltel.kafka.EmbeddedKafka;
import io.acceltel.model.otlp.OtlpEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * End-to-end ingest from Kafka: fills the metrics topic (4 partitions) on Apache Kafka's own broker with the ticks
 * of {@code nodes} simulated 8-GPU nodes, exactly as the exporter's sink writes them, then starts an aggregator on
 * the topic and times it from start until it has consumed every record. Samples/s = samples in the topic / time.
 *
 * <pre>{@code
 * java -Xmx6g -cp bench/target/benchmarks.jar io.acceltel.bench.KafkaIngestThroughput 125 60
 * }</pre>
 */
public final class KafkaIngestThroughput {
  private KafkaIngestThroughput() {}

  public static void main(String[] args) throws Exception {
    int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 125;
    int ticks = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    Path dir = Files.createTempDirectory("acceltel-kafka-ingest");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Settings.of(dir.resolve("kafka")))) {
      long t0 = System.currentTimeMillis() / 1000 * 1000 - ticks * 1000L;
      long samples = 0;
      int records = 0;
      OtlpEncoder encoder = new OtlpEncoder("bench");
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
          kafka.bootstrapServers(), "acks", "all", "compression.type", "zstd", "linger.ms", "5"),
          new ByteArraySerializer(), new ByteArraySerializer())) {
        List<CollectionLoop> loops = new ArrayList<>();
        List<SimulatedBackend> backends = new ArrayList<>();
        for (int n = 0; n < nodes; n++) {
          SimulatedBackend b = new SimulatedBackend(new SimulatedSettings(8, "NVIDIA H100 80GB HBM3", n));
          backends.add(b);
          loops.add(CollectionLoop.builder("gpu-node-" + n, b.devices()).build());
        }
        for (int t = 0; t < ticks; t++) {
          for (int n = 0; n < nodes; n++) {
            var snapshot = loops.get(n).tick(t0 + t * 1000L);
            samples += snapshot.devices().stream().mapToLong(d -> d.readings().size()).sum();
            producer.send(new ProducerRecord<>("acceltel.metrics.v1",
                ("gpu-node-" + n).getBytes(StandardCharsets.UTF_8), encoder.encode(snapshot)));
            records++;
          }
        }
        producer.flush();
        loops.forEach(CollectionLoop::close);
        backends.forEach(SimulatedBackend::close);
      }
      System.out.printf("topic filled: %d records, %,d samples (%d nodes x 8 GPUs x %d ticks)%n", records, samples,
          nodes, ticks);
      long start = System.nanoTime();
      try (Aggregator aggregator = Aggregator.start(AggregatorSettings.defaults(dir.resolve("aggregator"),
          Optional.of(kafka.bootstrapServers())).withListen("127.0.0.1", 0))) {
        while (aggregator.consumedOffsets().values().stream().mapToLong(Long::longValue).sum() < records) {
          Thread.sleep(10);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("consumed in %.2f s (aggregator start included): %,.0f samples/s%n", seconds,
            samples / seconds);
      }
    }
  }
}
