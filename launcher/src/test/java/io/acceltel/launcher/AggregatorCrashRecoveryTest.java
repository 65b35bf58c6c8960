package io.acceltel.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.aggregator.storage.RawSeries;
import io.acceltel.aggregator.storage.Storage;
import io.acceltel.aggregator.storage.StorageConfig;
import io.acceltel.exporter.collect.CollectionLoop;
import io.acceltel.exporter.device.BackendContext.SimulatedSettings;
import io.acceltel.exporter.kafka.KafkaSink;
import io.acceltel.exporter.kafka.KafkaSinkSettings;
import io.acceltel.exporter.simulated.SimulatedBackend;
import io.acceltel.kafka.EmbeddedKafka;
import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.series.Labels;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka is the write-ahead log: an aggregator killed with SIGKILL in the middle of ingest, then restarted, holds
 * every sample the exporter got acknowledged, exactly once.
 */
class AggregatorCrashRecoveryTest {
  private static final String TOPIC = "acceltel.metrics.v1";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Process aggregator(Path data, String bootstrap, int port) throws Exception {
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Acceltel.class.getName(), "aggregator",
        "--kafka=" + bootstrap, "--partitions=0,1,2,3", "--data-dir=" + data, "--listen=127.0.0.1:" + port,
        "--checkpoint-every=1s")
        .redirectErrorStream(true).redirectOutput(data.resolveSibling("aggregator-" + port + ".log").toFile())
        .start();
  }

  private static long consumed(int port) {
    try {
      String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
          + "/api/v1/status/ingest")).build(), HttpResponse.BodyHandlers.ofString()).body();
      Matcher m = Pattern.compile("\":(\\d+)").matcher(body);
      long sum = 0;
      while (m.find()) {
        sum += Long.parseLong(m.group(1));
      }
      return sum;
    } catch (Exception e) {
      return -1;
    }
  }

  private static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
    io.acceltel.model.testing.Await.until(what, timeout, condition);
  }

  /** Everything the topic holds (all acknowledged), as series -> timestamp -> value. */
  private static Map<Labels, TreeMap<Long, Double>> acknowledged(String bootstrap) throws Exception {
    Map<Labels, TreeMap<Long, Double>> expected = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : consumer.partitionsFor(TOPIC)) {
        partitions.add(new TopicPartition(TOPIC, p.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          for (ResourceMetrics rm : ExportMetricsServiceRequest.parseFrom(r.value()).getResourceMetricsList()) {
            for (ScopeMetrics sm : rm.getScopeMetricsList()) {
              for (Metric m : sm.getMetricsList()) {
                String name = m.hasSum() ? m.getName() + "_total" : m.getName();
                List<NumberDataPoint> points = m.hasSum() ? m.getSum().getDataPointsList()
                    : m.getGauge().getDataPointsList();
                for (NumberDataPoint p : points) {
                  Map<String, String> labels = new TreeMap<>();
                  labels.put(Labels.METRIC_NAME, name);
                  for (KeyValue kv : p.getAttributesList()) {
                    labels.put(kv.getKey(), kv.getValue().getStringValue());
                  }
                  expected.computeIfAbsent(Labels.of(labels), k -> new TreeMap<>())
                      .put(p.getTimeUnixNano() / 1_000_000, (p.getFlags() & 1) != 0
                          ? Double.longBitsToDouble(0x7ff0000000000002L) // a staleness marker: stored as Prometheus's
                          : p.getAsDouble());
                }
              }
            }
          }
        }
      }
    }
    return expected;
  }

  @Test
  void sigkillMidIngestLosesAndDuplicatesNothingTheExporterGotAcknowledged(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("aggregator");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Settings.of(dir.resolve("kafka")))) {
      String bootstrap = kafka.bootstrapServers();
      int port = freePort();
      Process first = aggregator(data, bootstrap, port);
      AtomicBoolean producing = new AtomicBoolean(true);
      List<Throwable> producerErrors = new ArrayList<>();
      Thread producer = new Thread(() -> {
        try (SimulatedBackend a = new SimulatedBackend(new SimulatedSettings(2, "NVIDIA H100 80GB HBM3", 1));
            SimulatedBackend b = new SimulatedBackend(new SimulatedSettings(2, "NVIDIA H100 80GB HBM3", 2));
            CollectionLoop nodeA = CollectionLoop.builder("node-a", a.devices()).build();
            CollectionLoop nodeB = CollectionLoop.builder("node-b", b.devices()).build();
            KafkaSink sink = KafkaSink.start(KafkaSinkSettings.of(bootstrap).withBufferTicks(100_000),
                new PrometheusRegistry())) {
          long t = 1_795_349_049_000L;
          for (int i = 0; i < 600 && producing.get(); i++, t += 1000) {
            sink.onSnapshot(nodeA.tick(t));
            sink.onSnapshot(nodeB.tick(t));
            if (i % 50 == 0) {
              sink.flush(Duration.ofSeconds(30));
            }
          }
          assertThat(sink.flush(Duration.ofSeconds(60))).isTrue();
        } catch (Throwable e) {
          producerErrors.add(e);
        }
      }, "test-exporters");
      producer.start();

      // Checkpoints run every second; by 400 records several have happened and ingest is still going.
      await("ingest under way, past several checkpoints", Duration.ofSeconds(120), () -> consumed(port) >= 400);
      first.destroyForcibly();
      assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(first.exitValue()).as("killed by SIGKILL").isEqualTo(137);

      producer.join(180_000);
      assertThat(producerErrors).isEmpty();
      Map<Labels, TreeMap<Long, Double>> expected = acknowledged(bootstrap);
      long records = expected.values().stream().mapToLong(TreeMap::size).sum();
      assertThat(records).isPositive();

      Process second = aggregator(data, bootstrap, port);
      await("the restarted aggregator caught up", Duration.ofSeconds(180), () -> consumed(port) >= 1200);
      second.destroy();
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();

      try (Storage storage = Storage.open(data, StorageConfig.defaults())) {
        List<RawSeries> stored = storage.querier().selectRaw(
            List.of(LabelMatcher.regex(Labels.METRIC_NAME, ".+")), Long.MIN_VALUE, Long.MAX_VALUE);
        Map<Labels, RawSeries> byLabels = new HashMap<>();
        stored.forEach(s -> byLabels.put(s.labels(), s));
        assertThat(byLabels.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((labels, samples) -> {
          RawSeries s = byLabels.get(labels);
          List<Long> timestamps = new ArrayList<>();
          for (long t : s.timestamps()) {
            timestamps.add(t);
          }
          assertThat(timestamps).as("timestamps of %s, each exactly once", labels)
              .containsExactlyElementsOf(samples.keySet());
          double[] values = s.values();
          int i = 0;
          for (double v : samples.values()) {
            assertThat(Double.doubleToRawLongBits(values[i++])).isEqualTo(Double.doubleToRawLongBits(v));
          }
        });
      }
    }
  }

  private static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
