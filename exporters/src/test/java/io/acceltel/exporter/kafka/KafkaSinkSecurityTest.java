package io.acceltel.exporter.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.collect.CollectionLoop;
import io.acceltel.exporter.device.BackendContext.SimulatedSettings;
import io.acceltel.exporter.simulated.SimulatedBackend;
import io.acceltel.model.testing.Await;
import io.acceltel.model.testing.TestCertificates;
import io.acceltel.kafka.EmbeddedKafka;
import io.acceltel.model.config.KafkaSecurity;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.acceltel.model.testing.LogCapture;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter's Kafka sink against Apache Kafka's broker on loopback with SASL/PLAIN (the right password delivers
 * every tick; a wrong one delivers nothing, is counted and logged, and the password is in no log line) and with TLS
 * (the CA file is what makes the broker's certificate trusted).
 */
class KafkaSinkSecurityTest {
  private static final String USER = "exporter";
  private static final String PASSWORD = "pw-Zq81\"x\\y";

  private static KafkaSecurity login(Path dir, String password) throws Exception {
    Path file = Files.writeString(dir.resolve("password-" + password.hashCode()), password + "\n");
    return KafkaSecurity.parse(Map.of("kafka.security-protocol", "SASL_PLAINTEXT", "kafka.sasl-mechanism", "PLAIN",
        "kafka.sasl-username", USER, "kafka.sasl-password-file", file.toString()));
  }

  private static long recordsIn(String bootstrap, String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Starts a sink, sends one tick and closes it once the broker acknowledged it. */
  private static void delivers(String bootstrap, KafkaSecurity security, NodeSnapshot... ticks)
      throws InterruptedException {
    try (KafkaSink sink = KafkaSink.start(KafkaSinkSettings.of(bootstrap).withSecurity(security),
        new PrometheusRegistry())) {
      for (NodeSnapshot tick : ticks) {
        sink.onSnapshot(tick);
      }
      assertThat(sink.flush(Duration.ofSeconds(60))).as("acknowledged as " + security).isTrue();
    }
  }

  /** Starts a sink, sends one tick, and checks that the send fails, is counted, and nothing is acknowledged. */
  private static void deliversNothing(String bootstrap, KafkaSecurity security, NodeSnapshot tick)
      throws InterruptedException {
    PrometheusRegistry registry = new PrometheusRegistry();
    try (KafkaSink sink = KafkaSink.start(KafkaSinkSettings.of(bootstrap).withSecurity(security)
        .withSendTimeout(Duration.ofSeconds(2)), registry)) {
      sink.onSnapshot(tick);
      Await.until("a failed send", Duration.ofSeconds(60),
          () -> scrape(registry).matches("(?s).*\nacceltel_exporter_kafka_send_failures_total [1-9].*"));
      assertThat(sink.flush(Duration.ofMillis(100))).as("nothing acknowledged as " + security).isFalse();
    }
  }

  @Test
  void theRightPasswordDeliversEveryTickAndAWrongOneNothingWithoutLoggingIt(@TempDir Path dir) throws Exception {
    LogCapture log = LogCapture.everything();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Settings.of(dir.resolve("kafka"))
            .withSaslPlainUsers(Map.of(USER, PASSWORD)));
        SimulatedBackend backend = new SimulatedBackend(new SimulatedSettings(2, "NVIDIA H100 80GB HBM3", 3));
        CollectionLoop loop = CollectionLoop.builder("node-s", backend.devices()).build()) {
      delivers(kafka.saslBootstrapServers(), login(dir, PASSWORD), loop.tick(1_795_349_049_000L),
          loop.tick(1_795_349_050_000L));
      assertThat(recordsIn(kafka.bootstrapServers(), KafkaSinkSettings.DEFAULT_TOPIC)).isEqualTo(2);

      deliversNothing(kafka.saslBootstrapServers(), login(dir, "not-the-" + PASSWORD), loop.tick(1_795_349_051_000L));
      assertThat(recordsIn(kafka.bootstrapServers(), KafkaSinkSettings.DEFAULT_TOPIC)).isEqualTo(2);
    } finally {
      log.close();
    }
    List<String> logged = log.records().stream()
        .map(r -> r.getLevel() + " " + r.getMessage() + " " + r.getThrown()).toList();
    assertThat(logged).anySatisfy(line -> assertThat(line).contains("cannot send to Kafka"));
    assertThat(logged).noneSatisfy(line -> assertThat(line).contains("pw-Zq81"));
  }

  /**
   * A cluster whose ACLs do not yet let the exporter's user write refuses the idempotent producer its id
   * (ClusterAuthorizationException). Once the operator grants the ACL the sink must stream again without a restart,
   * the held ticks first: Kafka 4's producer treats the refusal as abortable, not fatal, and this holds it to that.
   */
  @Test
  void ticksHeldWhileTheClusterRefusedTheUserAreDeliveredOnceAnAclAllowsIt(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Settings.of(dir.resolve("kafka"))
            .withSaslPlainUsers(Map.of(USER, PASSWORD)).withAclsEnforced());
        Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
        SimulatedBackend backend = new SimulatedBackend(new SimulatedSettings(1, "NVIDIA H100 80GB HBM3", 6));
        CollectionLoop loop = CollectionLoop.builder("node-a", backend.devices()).build()) {
      String topic = KafkaSinkSettings.DEFAULT_TOPIC;
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
      // The user may see the topic but not write to it: the producer learns the partition, then is refused its id.
      admin.createAcls(List.of(allow(topic, AclOperation.DESCRIBE))).all().get();
      PrometheusRegistry registry = new PrometheusRegistry();
      try (KafkaSink sink = KafkaSink.start(KafkaSinkSettings.of(kafka.saslBootstrapServers())
          .withSecurity(login(dir, PASSWORD)).withSendTimeout(Duration.ofSeconds(2)), registry)) {
        sink.onSnapshot(loop.tick(1_795_349_049_000L));
        sink.onSnapshot(loop.tick(1_795_349_050_000L));
        Await.until("the refused user's sends failing", Duration.ofSeconds(60),
            () -> scrape(registry).matches("(?s).*\nacceltel_exporter_kafka_send_failures_total [3-9].*"));
        assertThat(recordsIn(kafka.bootstrapServers(), topic)).isZero();

        admin.createAcls(List.of(allow(topic, AclOperation.WRITE))).all().get();
        sink.onSnapshot(loop.tick(1_795_349_051_000L));
        assertThat(sink.flush(Duration.ofSeconds(60))).as("every held tick acknowledged").isTrue();
      }
      assertThat(recordsIn(kafka.bootstrapServers(), topic)).isEqualTo(3);
    }
  }

  private static AclBinding allow(String topic, AclOperation operation) {
    return new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
        new AccessControlEntry("User:" + USER, "*", operation, AclPermissionType.ALLOW));
  }

  /** A self-signed broker certificate for 127.0.0.1: the broker's key store, and as the PEM file a client trusts. */
  private static EmbeddedKafka.Tls selfSigned(Path dir, Path caPem) throws Exception {
    TestCertificates.Issued broker = TestCertificates.server(dir, "broker");
    Files.copy(broker.certificatePem(), caPem);
    return new EmbeddedKafka.Tls(broker.keyStore(), broker.password());
  }

  @Test
  void tlsTrustsTheBrokerThroughTheCaFileAndNotWithoutIt(@TempDir Path dir) throws Exception {
    Path ca = dir.resolve("ca.pem");
    EmbeddedKafka.Tls tls = selfSigned(dir, ca);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Settings.of(dir.resolve("kafka")).withTls(tls));
        SimulatedBackend backend = new SimulatedBackend(new SimulatedSettings(1, "NVIDIA H100 80GB HBM3", 4));
        CollectionLoop loop = CollectionLoop.builder("node-t", backend.devices()).build()) {
      KafkaSecurity trusted = KafkaSecurity.parse(Map.of("kafka.security-protocol", "SSL",
          "kafka.tls-ca-file", ca.toString()));
      delivers(kafka.tlsBootstrapServers(), trusted, loop.tick(1_795_349_049_000L));
      assertThat(recordsIn(kafka.bootstrapServers(), KafkaSinkSettings.DEFAULT_TOPIC)).isEqualTo(1);

      // The JVM's own trust store does not know a self-signed certificate: nothing is sent in the clear instead.
      deliversNothing(kafka.tlsBootstrapServers(), KafkaSecurity.parse(Map.of("kafka.security-protocol", "SSL")),
          loop.tick(1_795_349_050_000L));
      assertThat(recordsIn(kafka.bootstrapServers(), KafkaSinkSettings.DEFAULT_TOPIC)).isEqualTo(1);
    }
  }

  @Test
  void aBrokerThatRequiresClientCertificatesTakesTheConfiguredOneAndRefusesNone(@TempDir Path dir)
      throws Exception {
    Path ca = dir.resolve("ca.pem");
    TestCertificates.Issued client = TestCertificates.client(dir, "client", "acceltel-exporter");
    Path clientCert = client.certificatePem();
    Path clientKey = client.privateKeyPem();
    EmbeddedKafka.Tls tls = selfSigned(dir, ca).requiringClientCertificates(clientCert);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Settings.of(dir.resolve("kafka")).withTls(tls));
        SimulatedBackend backend = new SimulatedBackend(new SimulatedSettings(1, "NVIDIA H100 80GB HBM3", 5));
        CollectionLoop loop = CollectionLoop.builder("node-m", backend.devices()).build()) {
      KafkaSecurity mtls = KafkaSecurity.parse(Map.of("kafka.security-protocol", "SSL",
          "kafka.tls-ca-file", ca.toString(), "kafka.tls-cert-file", clientCert.toString(),
          "kafka.tls-key-file", clientKey.toString()));
      delivers(kafka.tlsBootstrapServers(), mtls, loop.tick(1_795_349_049_000L));
      assertThat(recordsIn(kafka.bootstrapServers(), KafkaSinkSettings.DEFAULT_TOPIC)).isEqualTo(1);

      deliversNothing(kafka.tlsBootstrapServers(), KafkaSecurity.parse(Map.of("kafka.security-protocol", "SSL",
          "kafka.tls-ca-file", ca.toString())), loop.tick(1_795_349_050_000L));
      assertThat(recordsIn(kafka.bootstrapServers(), KafkaSinkSettings.DEFAULT_TOPIC)).isEqualTo(1);
    }
  }

  private static String scrape(PrometheusRegistry registry) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
