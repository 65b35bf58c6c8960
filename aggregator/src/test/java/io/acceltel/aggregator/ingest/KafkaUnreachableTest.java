package io.acceltel.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.aggregator.Aggregator;
import io.acceltel.aggregator.AggregatorSettings;
import io.acceltel.model.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The aggregator while Kafka cannot be reached: it starts, serves what it has, and says that no data arrives. */
class KafkaUnreachableTest {
  /**
   * Kafka's client refuses to be built while no bootstrap name resolves, as while a cluster's DNS is still coming
   * up: the aggregator starts anyway and counts the failure until Kafka can be reached.
   */
  @Test
  void theAggregatorStartsAndServesWhileNoBrokerNameResolves(@TempDir Path dir) throws Exception {
    AggregatorSettings settings = AggregatorSettings.defaults(dir, Optional.of("kafka-not-yet.invalid:9092"))
        .withPartitions(List.of(0)).withListen("127.0.0.1", 0);
    try (Aggregator aggregator = Aggregator.start(settings)) {
      Await.until("the ingest failure counted", Duration.ofSeconds(30),
          () -> KafkaSaslIngestTest.ingestFailures(aggregator) >= 1);
      HttpResponse<String> labels = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + aggregator.port() + "/api/v1/labels")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(labels.statusCode()).isEqualTo(200);
      assertThat(labels.body()).contains("\"status\":\"success\"");
    }
  }

  /** A poll does not fail while no broker answers, it only comes back empty: the failure must still be counted. */
  @Test
  void brokersThatDoNotAnswerAreCountedAsIngestFailures(@TempDir Path dir) throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    AggregatorSettings settings = AggregatorSettings.defaults(dir, Optional.of("127.0.0.1:" + closedPort))
        .withPartitions(List.of(0)).withListen("127.0.0.1", 0);
    try (Aggregator aggregator = Aggregator.start(settings)) {
      Await.until("the unreachable brokers counted", Duration.ofSeconds(30),
          () -> KafkaSaslIngestTest.ingestFailures(aggregator) >= 1);
    }
  }
}
