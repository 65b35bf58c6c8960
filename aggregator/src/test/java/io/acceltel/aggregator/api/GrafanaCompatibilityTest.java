package io.acceltel.aggregator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.aggregator.Aggregator;
import io.acceltel.aggregator.AggregatorSettings;
import io.acceltel.model.remotewrite.WriteRequestEncoder;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * The calls Grafana's Prometheus data source makes (pkg/promlib: healthcheck, heuristics, resource client, query
 * models), in its order and with its parameters, against the real aggregator with the real PromQL engine.
 */
class GrafanaCompatibilityTest {
  private static final long NOW = System.currentTimeMillis();
  private static final long DATA_START = (NOW / 1000) * 1000 - 20 * 60_000;
  @TempDir
  static Path dir;
  private static Aggregator aggregator;
  private static ApiClient api;

  @BeforeAll
  static void start() throws Exception {
    aggregator = Aggregator.start(AggregatorSettings.defaults(dir, Optional.empty()).withListen("127.0.0.1", 0));
    api = new ApiClient(aggregator.url());
    WriteRequestEncoder w = new WriteRequestEncoder();
    int n = 20 * 60;
    for (int node = 1; node <= 2; node++) {
      for (int gpu = 0; gpu < 2; gpu++) {
        long[] t = new long[n];
        double[] util = new double[n];
        double[] power = new double[n];
        double[] energy = new double[n];
        double e = 0;
        for (int i = 0; i < n; i++) {
          t[i] = DATA_START + i * 1000L;
          util[i] = ((i + gpu * 7 + node * 13) % 100) / 100.0;
          power[i] = 300 + node * 10 + gpu + (i % 10);
          e += power[i];
          energy[i] = e;
        }
        Map<String, String> labels = Map.of("node", "n" + node, "gpu", Integer.toString(gpu), "job", "train");
        w.series(with(labels, "accelerator_utilization_ratio"), t, util);
        w.series(with(labels, "accelerator_power_watts"), t, power);
        w.series(with(labels, "accelerator_energy_joules_total"), t, energy);
      }
    }
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(aggregator.url() + "/api/v1/write")).header("Content-Encoding", "snappy")
        .POST(HttpRequest.BodyPublishers.ofByteArray(Snappy.compress(w.encode()))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
  }

  private static Map<String, String> with(Map<String, String> labels, String name) {
    java.util.HashMap<String, String> m = new java.util.HashMap<>(labels);
    m.put("__name__", name);
    return m;
  }

  @AfterAll
  static void stop() {
    if (aggregator != null) {
      aggregator.close();
    }
  }

  /** "Save & test": the instant query 1+1 at time 4 (GET or the data source's POST), then buildinfo. */
  @Test
  void saveAndTest() throws Exception {
    String expected = "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[4,\"2\"]}}";
    assertThat(api.get("/api/v1/query", "query", "1+1", "time", "4").body()).isEqualTo(expected);
    assertThat(api.post("/api/v1/query", "query", "1+1", "time", "4").body()).isEqualTo(expected);
    ApiClient.Reply info = api.get("/api/v1/status/buildinfo");
    assertThat(info.status()).isEqualTo(200);
    Map<?, ?> data = (Map<?, ?>) info.data();
    assertThat((String) data.get("version")).matches("\\d+\\.\\d+\\.\\d+");
    Object features = data.get("features");
    assertThat(features == null || ((Map<?, ?>) features).isEmpty()).as("no features: Grafana must not see Mimir")
        .isTrue();
  }

  /** The metrics browser: labels and series by POST (Grafana's first try), the same by GET (its fallback). */
  @Test
  void labelsAndSeriesByPostThenGet() throws Exception {
    String start = PromFormat.timestamp(NOW - 3_600_000);
    String end = PromFormat.timestamp(NOW);
    for (boolean post : new boolean[] {true, false}) {
      ApiClient.Reply labels = post ? api.post("/api/v1/labels", "start", start, "end", end)
          : api.get("/api/v1/labels", "start", start, "end", end);
      assertThat(labels.status()).isEqualTo(200);
      assertThat(ApiClient.list(labels.data())).containsExactly("__name__", "gpu", "job", "node");
      ApiClient.Reply series = post
          ? api.post("/api/v1/series", "match[]", "accelerator_power_watts{node=\"n1\"}", "start", start, "end", end)
          : api.get("/api/v1/series", "match[]", "accelerator_power_watts{node=\"n1\"}", "start", start, "end", end);
      assertThat(series.status()).isEqualTo(200);
      assertThat(ApiClient.list(series.data())).containsExactly(
          Map.of("__name__", "accelerator_power_watts", "gpu", "0", "job", "train", "node", "n1"),
          Map.of("__name__", "accelerator_power_watts", "gpu", "1", "job", "train", "node", "n1"));
    }
  }

  /** The query editor: metric names, label values filtered by match[], metadata. */
  @Test
  void labelValuesWithMatchAndMetadata() throws Exception {
    String start = PromFormat.timestamp(NOW - 3_600_000);
    String end = PromFormat.timestamp(NOW);
    ApiClient.Reply names = api.get("/api/v1/label/__name__/values", "start", start, "end", end);
    assertThat(ApiClient.list(names.data())).containsExactly("accelerator_energy_joules_total",
        "accelerator_power_watts", "accelerator_utilization_ratio");
    ApiClient.Reply gpus = api.get("/api/v1/label/gpu/values", "match[]", "accelerator_power_watts{node=\"n2\"}",
        "start", start, "end", end);
    assertThat(ApiClient.list(gpus.data())).containsExactly("0", "1");
    ApiClient.Reply nodes = api.get("/api/v1/label/node/values", "match[]", "{job=\"train\"}");
    assertThat(ApiClient.list(nodes.data())).containsExactly("n1", "n2");
    ApiClient.Reply meta = api.get("/api/v1/metadata");
    assertThat(((Map<?, ?>) meta.data()).get("accelerator_power_watts")).isNotNull();
    assertThat(api.post("/api/v1/query_exemplars", "query", "accelerator_power_watts", "start", start, "end", end)
        .body()).isEqualTo("{\"status\":\"success\",\"data\":[]}");
  }

  /** label_values(x{node=~"$node"}, gpu) with $node = All over thousands of nodes: a GET of well over 64 KiB. */
  @Test
  void aLabelValuesGetWithAVeryLongMatchIsAnswered() throws Exception {
    StringBuilder nodes = new StringBuilder("n1|n2");
    for (int i = 0; nodes.length() < 200_000; i++) {
      nodes.append("|gpu-node-").append(i);
    }
    ApiClient.Reply gpus = api.get("/api/v1/label/gpu/values", "match[]",
        "accelerator_power_watts{node=~\"" + nodes + "\"}");
    assertThat(ApiClient.list(gpus.data())).contains("0", "1");
  }

  /** Grafana's alert list asks every Prometheus data source for its rules and alerts: none here, not a 404. */
  @Test
  void rulesAndAlertsAreEmptyNotMissing() throws Exception {
    assertThat(api.get("/api/v1/rules").body()).isEqualTo("{\"status\":\"success\",\"data\":{\"groups\":[]}}");
    assertThat(api.get("/api/v1/alerts").body()).isEqualTo("{\"status\":\"success\",\"data\":{\"alerts\":[]}}");
  }

  /** A panel: start and end rounded down to the step (AlignTimeRange), step 15 s, POST form as the backend sends. */
  @Test
  void rangeQueriesAlignedToTheStep() throws Exception {
    long step = 15_000;
    long end = (NOW / step) * step;
    long start = ((NOW - 3_600_000) / step) * step;
    ApiClient.Reply r = api.post("/api/v1/query_range", "query", "avg by (node) (accelerator_utilization_ratio)",
        "start", PromFormat.timestamp(start), "end", PromFormat.timestamp(end), "step", "15");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    Map<?, ?> data = (Map<?, ?>) r.data();
    assertThat(data.get("resultType")).isEqualTo("matrix");
    List<?> result = (List<?>) data.get("result");
    assertThat(result).hasSize(2);
    for (Object o : result) {
      Map<?, ?> series = (Map<?, ?>) o;
      assertThat(new java.util.ArrayList<Object>(((Map<?, ?>) series.get("metric")).keySet())).containsExactly("node");
      List<?> values = (List<?>) series.get("values");
      // Data covers the last 20 minutes (plus 5 minutes of lookback after it ends, which is past now).
      assertThat(values.size()).isBetween(75, 82);
      for (Object p : values) {
        List<?> point = (List<?>) p;
        long ms = ((BigDecimal) point.get(0)).movePointRight(3).longValueExact();
        assertThat(ms % step).isZero();
        assertThat(ms).isBetween(start, end);
        assertThat(Double.parseDouble((String) point.get(1))).isBetween(0.0, 1.0);
      }
    }
    ApiClient.Reply rate = api.post("/api/v1/query_range", "query",
        "sum by (job) (rate(accelerator_energy_joules_total[1m]))", "start", PromFormat.timestamp(start),
        "end", PromFormat.timestamp(end), "step", "15");
    assertThat(rate.status()).as(rate.body()).isEqualTo(200);
    // Four GPUs at ~300 W: the energy counters grow by about 1,250 J/s together.
    List<?> rateValues = (List<?>) ((Map<?, ?>) ((List<?>) ((Map<?, ?>) rate.data()).get("result")).get(0))
        .get("values");
    double mid = Double.parseDouble((String) ((List<?>) rateValues.get(rateValues.size() / 2)).get(1));
    assertThat(mid).isBetween(1200.0, 1300.0);
  }

  /** What a user sees for a bad query (Grafana shows the error text), with the real engine. */
  @Test
  void badQueriesAre400WithAPosition() throws Exception {
    ApiClient.Reply r = api.get("/api/v1/query", "query", "sum(accelerator_power_watts");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.errorType()).isEqualTo("bad_data");
    assertThat(r.error()).matches("invalid parameter \"query\": 1:\\d+: parse error: .+");
    ApiClient.Reply range = api.post("/api/v1/query_range", "query", "accelerator_power_watts[5m]", "start", "0",
        "end", "60", "step", "15");
    assertThat(range.status()).isEqualTo(400);
    assertThat(range.error()).contains("range vector");
    // Nested 50,000 deep: refused (bad_data or execution), never a hung request or a dead worker.
    String deep = "(".repeat(50_000) + "1" + ")".repeat(50_000);
    ApiClient.Reply nested = api.post("/api/v1/query", "query", deep, "time", "4");
    assertThat(nested.status()).as(nested.body()).isIn(400, 422);
    assertThat(api.get("/api/v1/query", "query", "1+1", "time", "4").status()).isEqualTo(200);
  }

  /** A series limit of Integer.MAX_VALUE means no cap, not an overflow into "no series". */
  @Test
  void theLargestSeriesLimitListsSeries(@org.junit.jupiter.api.io.TempDir Path other) throws Exception {
    try (Aggregator uncapped = Aggregator.start(AggregatorSettings.defaults(other, Optional.empty())
        .withListen("127.0.0.1", 0).withQueryLimits(QueryLimits.DEFAULT.withMaxSeries(Integer.MAX_VALUE)))) {
      HttpResponse<String> write = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create(uncapped.url() + "/api/v1/write")).header("Content-Encoding", "snappy")
          .POST(HttpRequest.BodyPublishers.ofByteArray(Snappy.compress(new WriteRequestEncoder()
              .series(Map.of("__name__", "m", "i", "1"), new long[] {DATA_START}, new double[] {1}).encode())))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(write.statusCode()).isEqualTo(204);
      ApiClient c = new ApiClient(uncapped.url());
      assertThat(ApiClient.list(c.get("/api/v1/series", "match[]", "m").data())).hasSize(1);
      assertThat(ApiClient.list(c.get("/api/v1/series", "match[]", "m", "limit",
          Integer.toString(Integer.MAX_VALUE)).data())).hasSize(1);
    }
  }

  /** Over the sample limit: 422; past the timeout: 503; the server answers normally afterwards. */
  @Test
  void limitsWithTheRealEngine(@org.junit.jupiter.api.io.TempDir Path other) throws Exception {
    try (Aggregator small = Aggregator.start(AggregatorSettings.defaults(other, Optional.empty())
        .withListen("127.0.0.1", 0).withQueryLimits(QueryLimits.DEFAULT.withMaxSamples(2000).withMaxSeries(1)))) {
      WriteRequestEncoder w = new WriteRequestEncoder();
      long[] t = new long[1200];
      double[] v = new double[1200];
      for (int i = 0; i < t.length; i++) {
        t[i] = DATA_START + i * 1000L;
        v[i] = i;
      }
      w.series(Map.of("__name__", "m", "i", "1"), t, v).series(Map.of("__name__", "m", "i", "2"), t, v);
      HttpResponse<String> write = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create(small.url() + "/api/v1/write")).header("Content-Encoding", "snappy")
          .POST(HttpRequest.BodyPublishers.ofByteArray(Snappy.compress(w.encode()))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(write.statusCode()).isEqualTo(204);
      ApiClient c = new ApiClient(small.url());
      String at = PromFormat.timestamp(DATA_START + 1_199_000);
      ApiClient.Reply over = c.get("/api/v1/query", "query", "m[20m]", "time", at);
      assertThat(over.status()).as(over.body()).isEqualTo(422);
      assertThat(over.errorType()).isEqualTo("execution");
      assertThat(c.get("/api/v1/query", "query", "m{i=\"1\"}[10s]", "time", at).status()).isEqualTo(200);
      // The metadata endpoints have limits too: the series they may list, and the selectors in one request.
      ApiClient.Reply series = c.get("/api/v1/series", "match[]", "m");
      assertThat(series.status()).as(series.body()).isEqualTo(422);
      assertThat(series.error()).contains("query.maxSeries");
      assertThat(c.get("/api/v1/series", "match[]", "m{i=\"1\"}").status()).isEqualTo(200);
      ApiClient.Reply union = c.get("/api/v1/series", "match[]", "m{i=\"1\"}", "match[]", "m{i=\"2\"}");
      assertThat(union.status()).as("each selector within the cap, together over it: " + union.body())
          .isEqualTo(422);
      assertThat(union.error()).contains("together select more than 1 series");
      ApiClient.Reply limited = c.get("/api/v1/series", "match[]", "m", "limit", "1");
      assertThat(limited.status()).as(limited.body()).isEqualTo(200);
      assertThat(ApiClient.list(limited.data())).containsExactly(Map.of("__name__", "m", "i", "1"));
      assertThat(limited.warnings()).containsExactly("results truncated due to limit");
      String[] selectors = new String[2 * (PrometheusApi.MAX_SELECTORS + 1)];
      for (int i = 0; i < selectors.length; i += 2) {
        selectors[i] = "match[]";
        selectors[i + 1] = "m{i=\"" + i + "\"}";
      }
      ApiClient.Reply tooMany = c.post("/api/v1/series", selectors);
      assertThat(tooMany.status()).isEqualTo(400);
      assertThat(tooMany.error()).contains("at most " + PrometheusApi.MAX_SELECTORS);
    }
    ApiClient.Reply slow = api.get("/api/v1/query", "query", "count(sum_over_time(vector(1)[1d:1ms]))", "timeout",
        "100ms");
    assertThat(slow.status()).as(slow.body()).isEqualTo(503);
    assertThat(slow.errorType()).isEqualTo("timeout");
    assertThat(api.get("/api/v1/query", "query", "1+1", "time", "4").status()).isEqualTo(200);
  }

  /** An instant panel: time = the panel's end, not aligned, with milliseconds. */
  @Test
  void instantQueriesAtAnUnalignedTime() throws Exception {
    long t = DATA_START + 600_000 + 123;
    ApiClient.Reply r = api.post("/api/v1/query", "query", "max(accelerator_power_watts)", "time",
        PromFormat.timestamp(t));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("\"value\":[" + PromFormat.timestamp(t) + ",");
  }
}
