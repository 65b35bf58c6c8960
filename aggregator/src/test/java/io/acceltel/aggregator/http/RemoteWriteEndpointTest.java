package io.acceltel.aggregator.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.aggregator.Aggregator;
import io.acceltel.aggregator.AggregatorSettings;
import io.acceltel.model.remotewrite.WriteRequestEncoder;
import io.acceltel.aggregator.storage.RawSeries;
import io.acceltel.model.series.LabelMatcher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/** The remote_write receiver over real HTTP, as Prometheus and vmagent call it. */
class RemoteWriteEndpointTest {
  private static final long T = System.currentTimeMillis() - 60_000;
  @TempDir
  static Path dir;
  private static Aggregator aggregator;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    aggregator = Aggregator.start(AggregatorSettings.defaults(dir, Optional.empty()).withListen("127.0.0.1", 0));
  }

  @AfterAll
  static void stop() {
    aggregator.close();
  }

  private static HttpResponse<String> post(byte[] body) throws Exception {
    return post(aggregator, body);
  }

  private static HttpResponse<String> post(Aggregator to, byte[] body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(to.url() + "/api/v1/write"))
        .header("Content-Encoding", "snappy").header("Content-Type", "application/x-protobuf")
        .header("X-Prometheus-Remote-Write-Version", "0.1.0")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static List<RawSeries> stored(String metric) {
    return aggregator.storage().querier().selectRaw(List.of(LabelMatcher.equal("__name__", metric)),
        Long.MIN_VALUE, Long.MAX_VALUE);
  }

  @Test
  void storesSamplesAndAnswers204() throws Exception {
    byte[] request = new WriteRequestEncoder()
        .series(Map.of("__name__", "gpu_temp", "gpu", "0"), new long[] {T, T + 1000}, new double[] {41, 42})
        .series(Map.of("__name__", "gpu_temp", "gpu", "1"), new long[] {T}, new double[] {50})
        .encode();
    HttpResponse<String> response = post(Snappy.compress(request));
    assertThat(response.statusCode()).isEqualTo(204);
    List<RawSeries> series = stored("gpu_temp");
    assertThat(series).hasSize(2);
    RawSeries gpu0 = series.stream().filter(s -> "0".equals(s.labels().get("gpu"))).findFirst().orElseThrow();
    assertThat(gpu0.timestamps()).containsExactly(T, T + 1000);
    assertThat(gpu0.values()).containsExactly(41, 42);
  }

  /** Samples of new series beyond max-series: a 400 the sender logs, and the request's other samples stored. */
  @Test
  void newSeriesBeyondTheSeriesLimitAre400WithTheRestStored(@TempDir Path own) throws Exception {
    try (Aggregator full = Aggregator.start(AggregatorSettings.defaults(own, Optional.empty())
        .withListen("127.0.0.1", 0).withMaxSeries(1))) {
      assertThat(post(full, Snappy.compress(new WriteRequestEncoder()
          .series(Map.of("__name__", "held"), new long[] {T}, new double[] {1}).encode())).statusCode()).isEqualTo(204);
      HttpResponse<String> response = post(full, Snappy.compress(new WriteRequestEncoder()
          .series(Map.of("__name__", "held"), new long[] {T + 1000}, new double[] {2})
          .series(Map.of("__name__", "one_too_many"), new long[] {T + 1000}, new double[] {3}).encode()));
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.body()).contains("1 samples of new series were dropped", "max-series");
      assertThat(full.storage().querier().selectRaw(List.of(LabelMatcher.equal("__name__", "held")), Long.MIN_VALUE,
          Long.MAX_VALUE).get(0).timestamps()).containsExactly(T, T + 1000);
      assertThat(full.storage().querier().selectRaw(List.of(LabelMatcher.equal("__name__", "one_too_many")),
          Long.MIN_VALUE, Long.MAX_VALUE)).isEmpty();
    }
  }

  /**
   * A series whose labels are beyond the bounds (kube-state-metrics' last-applied-configuration annotation): a 400
   * the sender logs, naming the bound, and the request's other series stored, not dropped with it.
   */
  @Test
  void aSeriesBeyondTheLabelBoundsIs400WithTheRestStored() throws Exception {
    HttpResponse<String> response = post(Snappy.compress(new WriteRequestEncoder()
        .series(Map.of("__name__", "kube_pod_annotations", "pod", "p1"), new long[] {T}, new double[] {1})
        .series(Map.of("__name__", "kube_pod_annotations", "pod", "p2", "annotation_config", "{".repeat(20_000)),
            new long[] {T}, new double[] {1})
        .encode()));
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("1 samples were dropped as invalid",
        "the value of label 'annotation_config' is 20000 characters, more than 16384", "write_relabel_configs");
    assertThat(stored("kube_pod_annotations")).hasSize(1);
  }

  @Test
  void resendingTheSameSamplesStoresThemOnce() throws Exception {
    byte[] request = Snappy.compress(new WriteRequestEncoder()
        .series(Map.of("__name__", "resent"), new long[] {T}, new double[] {1}).encode());
    assertThat(post(request).statusCode()).isEqualTo(204);
    assertThat(post(request).statusCode()).isEqualTo(204);
    assertThat(stored("resent").get(0).timestamps()).containsExactly(T);
  }

  @Test
  void badDataIs400SoSendersDoNotRetryIt() throws Exception {
    byte[] noName = Snappy.compress(new WriteRequestEncoder()
        .series(Map.of("job", "x"), new long[] {T}, new double[] {1}).encode());
    HttpResponse<String> r = post(noName);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("no valid metric name");

    byte[] badLabel = Snappy.compress(new WriteRequestEncoder()
        .series(Map.of("__name__", "m", "bad-label", "x"), new long[] {T}, new double[] {1}).encode());
    assertThat(post(badLabel).body()).contains("1 samples were dropped as invalid",
        "invalid label name 'bad-label'");

    assertThat(post("not snappy at all".getBytes()).statusCode()).isEqualTo(400);
  }

  /** The sender drops a request answered 400: its valid series are stored first, not lost with the invalid one. */
  @Test
  void aRequestWithAnInvalidSeriesStoresTheOthers() throws Exception {
    byte[] mixed = Snappy.compress(new WriteRequestEncoder()
        .series(Map.of("__name__", "half_good"), new long[] {T}, new double[] {1})
        .series(Map.of("__name__", "half_good", "bad-label", "x"), new long[] {T}, new double[] {1}).encode());
    assertThat(post(mixed).statusCode()).isEqualTo(400);
    assertThat(stored("half_good")).hasSize(1);
  }

  /** A request that does not decode is refused whole: nothing of it can be trusted. */
  @Test
  void aRequestThatDoesNotDecodeStoresNothingOfIt() throws Exception {
    byte[] valid = new WriteRequestEncoder()
        .series(Map.of("__name__", "cut_short"), new long[] {T}, new double[] {1})
        .series(Map.of("__name__", "cut_short", "node", "n2"), new long[] {T}, new double[] {1}).encode();
    byte[] truncated = java.util.Arrays.copyOf(valid, valid.length - 3);
    assertThat(post(Snappy.compress(truncated)).statusCode()).isEqualTo(400);
    assertThat(stored("cut_short")).isEmpty();
  }

  @Test
  void bodiesOverTheLimitAre413() throws Exception {
    byte[] huge = new byte[RemoteWriteHandler.Limits.DEFAULT.maxBodyBytes() + 1];
    assertThat(post(huge).statusCode()).isEqualTo(413);
  }

  @Test
  void onlyPostIsAllowed() throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(aggregator.url() + "/api/v1/write"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(405);
  }

  /** Random and truncated bodies: every answer is a 4xx verdict and the server keeps serving. */
  @Test
  void fuzzedBodiesNeverCrashTheReceiver() throws Exception {
    Random random = new Random(7);
    byte[] valid = new WriteRequestEncoder().series(Map.of("__name__", "fuzz", "a", "b"), new long[] {T, T + 1},
        new double[] {1, 2}).encode();
    for (int i = 0; i < 300; i++) {
      byte[] raw;
      if (i % 2 == 0) {
        raw = java.util.Arrays.copyOf(valid, random.nextInt(valid.length));
      } else {
        raw = valid.clone();
        raw[random.nextInt(raw.length)] = (byte) random.nextInt(256);
      }
      int status = post(Snappy.compress(raw)).statusCode();
      assertThat(status).isIn(204, 400);
    }
    for (int i = 0; i < 100; i++) {
      byte[] garbage = new byte[random.nextInt(2000)];
      random.nextBytes(garbage);
      assertThat(post(garbage).statusCode()).isIn(400, 413);
    }
    assertThat(post(Snappy.compress(valid)).statusCode()).isEqualTo(204);
  }

  /**
   * remote_write 2.0 keeps its series where a 1.0 decoder does not look: taken, it would be answered 204 with nothing
   * stored. It gets 415 with the setting that fixes it, as the spec says for a message type a receiver lacks.
   */
  @Test
  void remoteWrite2IsRefusedWith415NotSwallowed() throws Exception {
    byte[] body = Snappy.compress(new WriteRequestEncoder()
        .series(Map.of("__name__", "v2_metric"), new long[] {T}, new double[] {1}).encode());
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(aggregator.url() + "/api/v1/write"))
        .header("Content-Encoding", "snappy")
        .header("Content-Type", "application/x-protobuf;proto=io.prometheus.write.v2.Request")
        .header("X-Prometheus-Remote-Write-Version", "2.0.0")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(response.body()).contains("protobuf_message: prometheus.WriteRequest");
    assertThat(stored("v2_metric")).isEmpty();
    assertThat(RemoteWriteHandler.unsupportedFormat("application/x-protobuf;proto=prometheus.WriteRequest",
        "snappy")).isNull();
    assertThat(RemoteWriteHandler.unsupportedFormat("application/x-protobuf; proto=\"prometheus.WriteRequest\"",
        "snappy")).as("a quoted parameter value").isNull();
    assertThat(RemoteWriteHandler.unsupportedFormat("application/json", null).status()).isEqualTo(415);
    assertThat(RemoteWriteHandler.unsupportedFormat("application/x-protobuf", "zstd").status()).isEqualTo(415);
  }
}
