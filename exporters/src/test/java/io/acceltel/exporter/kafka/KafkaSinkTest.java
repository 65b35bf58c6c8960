package io.acceltel.exporter.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.exporter.collect.CollectionLoop;
import io.acceltel.exporter.device.BackendContext.SimulatedSettings;
import io.acceltel.exporter.simulated.SimulatedBackend;
import io.acceltel.kafka.EmbeddedKafka;
import io.acceltel.model.testing.Await;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exporter's Kafka sink against Apache Kafka's own broker on loopback. */
class KafkaSinkTest {
  private static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic, int atLeast) {
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
        new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      Await.until("topic metadata", Duration.ofSeconds(30), () -> {
        List<PartitionInfo> infos = consumer.partitionsFor(topic);
        if (infos == null || infos.isEmpty()) {
          return false;
        }
        infos.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        return true;
      });
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
      Await.until(atLeast + " records", Duration.ofSeconds(60), () -> {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return records.size() >= atLeast;
      });
      consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      return records;
    }
  }

  private static CollectionLoop loop(SimulatedBackend backend, List<Long> published, KafkaSink sink) {
    return CollectionLoop.builder("node-o", backend.devices()).interval(Duration.ofMillis(100))
        .listener(s -> published.add(s.timestampMillis())).listener(sink).build();
  }

  @Test
  void sendsOneOtlpRequestPerTickKeyedByNode(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Settings.of(dir));
        SimulatedBackend backend = new SimulatedBackend(new SimulatedSettings(2, "NVIDIA H100 80GB HBM3", 1));
        CollectionLoop loop = CollectionLoop.builder("node-k", backend.devices()).build();
        KafkaSink sink = KafkaSink.start(KafkaSinkSettings.of(kafka.bootstrapServers()), new PrometheusRegistry())) {
      sink.onSnapshot(loop.tick(1_795_349_049_000L));
      sink.onSnapshot(loop.tick(1_795_349_050_000L));
      assertThat(sink.flush(Duration.ofSeconds(60))).isTrue();

      List<ConsumerRecord<String, byte[]>> records = readAll(kafka.bootstrapServers(), "acceltel.metrics.v1", 2);
      assertThat(records).hasSize(2).allSatisfy(r -> assertThat(r.key()).isEqualTo("node-k"));
      ExportMetricsServiceRequest request = ExportMetricsServiceRequest.parseFrom(records.get(0).value());
      assertThat(request.getResourceMetrics(0).getResource().getAttributesList())
          .extracting(KeyValue::getKey).contains("node", "service.name");
      List<Metric> metrics = request.getResourceMetrics(0).getScopeMetrics(0).getMetricsList();
      Metric power = metrics.stream().filter(m -> m.getName().equals("accelerator_power_watts")).findFirst()
          .orElseThrow();
      assertThat(power.getUnit()).isEqualTo("W");
      assertThat(power.getGauge().getDataPointsList()).hasSize(2).allSatisfy(p -> {
        assertThat(p.getTimeUnixNano()).isIn(1_795_349_049_000_000_000L, 1_795_349_050_000_000_000L);
        assertThat(p.getAttributesList()).extracting(KeyValue::getKey)
            .contains("node", "device", "uuid", "model", "vendor");
      });
      Metric xid = metrics.stream().filter(m -> m.getName().equals("accelerator_clock_event_active")).findFirst()
          .orElseThrow();
      assertThat(xid.getGauge().getDataPoints(0).getAttributesList()).extracting(KeyValue::getKey)
          .contains("reason");
      assertThat(metrics).filteredOn(m -> m.hasSum()).allSatisfy(m -> {
        assertThat(m.getSum().getIsMonotonic()).isTrue();
        assertThat(m.getName()).doesNotEndWith("_total");
      });
    }
  }

  /**
   * The broker goes away for about 30 s while the exporter ticks at 10 Hz (300 ticks) and the buffer holds 100:
   * every tick still held is delivered once the broker is back, and the dropped counter accounts exactly for the
   * rest.
   */
  /**
   * A node that boots while Kafka's names do not resolve yet (the brokers' pods are down): kafka-clients 4.1 refuses
   * to build a producer then. The exporter must still start and hold its ticks, and send them once the names
   * resolve. The first two attempts here fail as kafka-clients does for an unresolvable name, the third as it does
   * for a setting it checks only after the name resolved.
   */
  @Test
  void startsWhileTheBootstrapNameDoesNotResolveAndSendsOnceItDoes(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Settings.of(dir));
        SimulatedBackend backend = new SimulatedBackend(new SimulatedSettings(1, "NVIDIA H100 80GB HBM3", 1));
        CollectionLoop loop = CollectionLoop.builder("node-d", backend.devices()).build()) {
      KafkaSinkSettings settings = KafkaSinkSettings.of(kafka.bootstrapServers());
      AtomicInteger attempts = new AtomicInteger();
      try (KafkaSink sink = KafkaSink.start(settings, new PrometheusRegistry(), () -> {
        int attempt = attempts.incrementAndGet();
        if (attempt <= 2) {
          throw new KafkaException("Failed to construct kafka producer",
              new ConfigException(
                  "No resolvable bootstrap urls given in bootstrap.servers"));
        }
        if (attempt == 3) {
          // Once the name resolves the client checks the rest: a failure then must not end the sender for good.
          throw new KafkaException("Failed to construct kafka producer", new ConfigException("a CA it cannot use"));
        }
        return new KafkaProducer<>(Map.of(
            "bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(),
            new ByteArraySerializer());
      })) {
        sink.onSnapshot(loop.tick(1_795_349_049_000L));
        sink.onSnapshot(loop.tick(1_795_349_050_000L));
        assertThat(sink.flush(Duration.ofSeconds(60))).isTrue();
        assertThat(attempts.get()).isEqualTo(4);
        assertThat(readAll(kafka.bootstrapServers(), "acceltel.metrics.v1", 2)).hasSize(2);
      }
    }
  }

  /** Any other failure to build the producer is a wrong setting: the start fails, nothing is retried. */
  @Test
  void aProducerThatCannotBeBuiltForAnotherReasonStopsTheStart() {
    assertThatThrownBy(() -> KafkaSink.start(KafkaSinkSettings.of("127.0.0.1:9"), new PrometheusRegistry(), () -> {
      throw new KafkaException("Failed to construct kafka producer",
          new ConfigException("Invalid value x for configuration acks"));
    })).hasMessageContaining("Failed to construct kafka producer");
  }

  /** A tick the broker refuses for good (larger than the topic allows) is dropped and counted; it blocks nothing. */
  @Test
  void aTickTheBrokerRefusesAsTooLargeIsDroppedAndTheNextOnesStillGo(@TempDir Path dir) throws Exception {
    String topic = "acceltel.metrics.small";
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Settings.of(dir));
        Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
        SimulatedBackend backend = new SimulatedBackend(new SimulatedSettings(8, "NVIDIA H100 80GB HBM3", 4));
        CollectionLoop loop = CollectionLoop.builder("node-big", backend.devices()).build();
        KafkaSink sink = KafkaSink.start(KafkaSinkSettings.of(kafka.bootstrapServers()).withTopic(topic)
            .withSendTimeout(Duration.ofSeconds(5)), new PrometheusRegistry())) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("max.message.bytes", "512"))))
          .all().get();
      sink.onSnapshot(loop.tick(1_795_349_049_000L));
      Await.until("the refused tick counted", Duration.ofSeconds(60), () -> sink.droppedTicks() == 1);

      ConfigResource config = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      admin.incrementalAlterConfigs(Map.of(config, List.of(new AlterConfigOp(
          new ConfigEntry("max.message.bytes", "1048588"), AlterConfigOp.OpType.SET)))).all().get();
      sink.onSnapshot(loop.tick(1_795_349_050_000L));
      assertThat(sink.flush(Duration.ofSeconds(60))).isTrue();
      assertThat(readAll(kafka.bootstrapServers(), topic, 1)).extracting(ConsumerRecord::timestamp)
          .containsExactly(1_795_349_050_000L);
      assertThat(sink.droppedTicks()).isEqualTo(1);
    }
  }

  @Test
  void holdsTicksThroughABrokerOutageAndCountsExactlyWhatItDrops(@TempDir Path dir) throws Exception {
    int bound = 100;
    List<Long> published = new CopyOnWriteArrayList<>();
    EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Settings.of(dir));
    EmbeddedKafka.Settings brokerSettings = kafka.settings();
    try (SimulatedBackend backend = new SimulatedBackend(new SimulatedSettings(2, "NVIDIA H100 80GB HBM3", 2));
        KafkaSink sink = KafkaSink.start(KafkaSinkSettings.of(kafka.bootstrapServers()).withBufferTicks(bound)
            .withSendTimeout(Duration.ofSeconds(2)), new PrometheusRegistry())) {
      try (CollectionLoop before = loop(backend, published, sink)) {
        before.start();
        Await.until("10 ticks", Duration.ofSeconds(30), () -> published.size() >= 10);
      }
      assertThat(sink.flush(Duration.ofSeconds(30))).as("acknowledged before the outage").isTrue();
      List<Long> beforeOutage = List.copyOf(published);

      kafka.close();
      try (CollectionLoop during = loop(backend, published, sink)) {
        during.start();
        Await.until("300 ticks during the outage", Duration.ofSeconds(90),
            () -> published.size() >= beforeOutage.size() + 300);
      }
      // The exporter stops ticking before the broker returns, so "the newest ticks" is a fixed set.
      List<Long> duringOutage = List.copyOf(published.subList(beforeOutage.size(), published.size()));
      kafka = EmbeddedKafka.start(brokerSettings);
      assertThat(sink.flush(Duration.ofSeconds(90))).as("the buffer drained").isTrue();

      Set<Long> delivered = readAll(kafka.bootstrapServers(), "acceltel.metrics.v1", published.size()
          - (int) sink.droppedTicks()).stream().map(ConsumerRecord::timestamp)
          .collect(Collectors.toCollection(TreeSet::new));
      assertThat(delivered).as("every delivered tick was published").isSubsetOf(published);
      assertThat(sink.droppedTicks()).as("dropped = published - delivered, exactly")
          .isEqualTo(published.size() - delivered.size());
      assertThat(sink.droppedTicks()).as("300 outage ticks against a bound of 100")
          .isEqualTo(duringOutage.size() - bound);
      List<Long> newestHeld = duringOutage.subList(duringOutage.size() - (bound - 1), duringOutage.size());
      assertThat(delivered).as("the newest ticks within the bound survive the outage").containsAll(newestHeld);
      assertThat(delivered).as("the first outage tick was in flight, so it is kept")
          .contains(duringOutage.get(0));
      assertThat(delivered).containsAll(beforeOutage);
    } finally {
      kafka.close();
    }
  }

  private static String scrape(PrometheusRegistry registry) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * The broker is away while 40 ticks arrive and memory holds 5, so 35 wait in the spool; the exporter stops (its
   * memory ticks join the spool) and starts again, the broker comes back, and every tick reaches Kafka in the order
   * it was taken, nothing dropped, the spool emptied.
   */
  @Test
  void spooledTicksSurviveAnExporterRestartAndReachKafkaInOrder(@TempDir Path dir) throws Exception {
    Path spoolDir = dir.resolve("spool");
    int port = freePort();
    KafkaSinkSettings settings = KafkaSinkSettings.of("127.0.0.1:" + port).withBufferTicks(5)
        .withSendTimeout(Duration.ofSeconds(2)).withSpool(spoolDir, 1L << 20);
    List<Long> published = new ArrayList<>();
    long base = System.currentTimeMillis() - 100_000; // so the lag gauge has a known lower and upper bound
    try (SimulatedBackend backend = new SimulatedBackend(new SimulatedSettings(2, "NVIDIA H100 80GB HBM3", 3));
        CollectionLoop loop = CollectionLoop.builder("node-s", backend.devices()).build()) {
      PrometheusRegistry registry = new PrometheusRegistry();
      try (KafkaSink before = KafkaSink.start(settings, registry)) {
        for (int i = 0; i < 40; i++) {
          long timestamp = base + i * 1000L;
          before.onSnapshot(loop.tick(timestamp));
          published.add(timestamp);
        }
        assertThat(before.spooled()).isEqualTo(35);
        assertThat(before.buffered()).isEqualTo(40);
        String metrics = scrape(registry);
        assertThat(metrics).contains("acceltel_exporter_kafka_spooled_ticks 35.0")
            .contains("acceltel_exporter_kafka_buffered_ticks 5.0")
            .contains("acceltel_exporter_kafka_dropped_ticks_total 0.0")
            .contains("acceltel_exporter_kafka_spool_corrupt_bytes_total 0.0")
            .containsPattern("acceltel_exporter_kafka_spooled_bytes [1-9][0-9]*\\.0");
        Matcher lag = Pattern.compile("(?m)^acceltel_exporter_kafka_lag_seconds (\\S+)$").matcher(metrics);
        assertThat(lag.find()).isTrue();
        assertThat(Double.parseDouble(lag.group(1))).as("the first tick, spooled and not sent, is the oldest")
            .isBetween(100.0, 600.0);
      }

      try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Settings.of(dir.resolve("kafka")).withPort(port)
              .withPartitions(1));
          KafkaSink after = KafkaSink.start(settings.withSendTimeout(Duration.ofSeconds(10)),
              new PrometheusRegistry())) {
        for (int i = 40; i < 45; i++) {
          long timestamp = base + i * 1000L;
          after.onSnapshot(loop.tick(timestamp));
          published.add(timestamp);
        }
        assertThat(after.flush(Duration.ofSeconds(90))).as("spool and memory drained").isTrue();
        List<Long> delivered = readAll(kafka.bootstrapServers(), "acceltel.metrics.v1", published.size()).stream()
            .map(ConsumerRecord::timestamp).toList();
        // A send retried after a lost acknowledgement may repeat a tick (the aggregator ignores repeats); none is
        // lost and none out of order.
        assertThat(delivered.stream().distinct().toList()).isEqualTo(published);
        assertThat(delivered).isSorted();
        assertThat(after.droppedTicks()).isZero();
        assertThat(after.spooled()).isZero();
        try (Stream<Path> files = Files.list(spoolDir)) {
          assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".spool"));
        }
      }
    }
  }

  @Test
  void aSpoolDirectoryThatCannotBeUsedStopsTheStartNamingTheKey(@TempDir Path dir) throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("spool"), "a file");
    KafkaSinkSettings settings = KafkaSinkSettings.of("127.0.0.1:" + freePort()).withSpool(notADirectory, 1L << 20);
    assertThatThrownBy(() -> KafkaSink.start(settings, new PrometheusRegistry()))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessage("cannot use the spool directory " + notADirectory + " (kafka.spool-dir): it is not a directory");
  }
}
