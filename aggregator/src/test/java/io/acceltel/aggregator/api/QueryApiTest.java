package io.acceltel.aggregator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.aggregator.Aggregator;
import io.acceltel.aggregator.AggregatorSettings;
import io.acceltel.model.remotewrite.WriteRequestEncoder;
import io.acceltel.model.testing.LogCapture;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * The HTTP layer of the query API over real HTTP on loopback: Prometheus's exact JSON (string values with NaN and
 * ±Inf, timestamps in seconds, warnings, error envelopes and codes), parameter errors, limits (11,000 points,
 * samples, series, timeout), cancellation when the client goes, the slow-query log, and a burst of bad, huge and slow
 * queries that never crashes the server and leaves it serving. Evaluation is a {@link ScriptedEngine} test double,
 * so these tests pin the API's behaviour independently of PromQL; the real engine is exercised by
 * {@code GrafanaCompatibilityTest} and the differential tests.
 */
class QueryApiTest {
  private static final long T0 = (System.currentTimeMillis() / 60_000) * 60_000 - 30 * 60_000;
  private static final QueryLimits LIMITS = new QueryLimits(Duration.ofSeconds(5), 1000, 2, 2, 2,
      Duration.ofMillis(100), Duration.ofMinutes(5));
  @TempDir
  static Path dir;
  private static Aggregator aggregator;
  private static ScriptedEngine engine;
  private static ApiClient api;

  @BeforeAll
  static void start() throws Exception {
    engine = new ScriptedEngine();
    aggregator = Aggregator.start(AggregatorSettings.defaults(dir, Optional.empty()).withListen("127.0.0.1", 0)
        .withQueryLimits(LIMITS), Optional.of(engine));
    api = new ApiClient(aggregator.url());
    WriteRequestEncoder w = new WriteRequestEncoder();
    w.series(Map.of("__name__", "small", "gpu", "0", "node", "n1"), times(100), values(100));
    w.series(Map.of("__name__", "long", "gpu", "0"), times(1500), values(1500));
    for (int g = 0; g < 3; g++) {
      w.series(Map.of("__name__", "wide", "gpu", Integer.toString(g), "node", "n" + g), times(10), values(10));
    }
    w.series(Map.of("__name__", "escaped", "gpu", "a<b>&\"c\""), times(5), values(5));
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(aggregator.url() + "/api/v1/write")).header("Content-Encoding", "snappy")
        .POST(HttpRequest.BodyPublishers.ofByteArray(Snappy.compress(w.encode()))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(204);
  }

  @AfterAll
  static void stop() {
    aggregator.close();
  }

  private static long[] times(int n) {
    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      t[i] = T0 + i * 1000L;
    }
    return t;
  }

  private static double[] values(int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = i * 0.5;
    }
    return v;
  }

  private static String seconds(long millis) {
    return PromFormat.timestamp(millis);
  }

  @Test
  void scalarAsGrafanaSaveAndTestExpectsIt() throws Exception {
    ApiClient.Reply r = api.get("/api/v1/query", "query", "1+1", "time", "4");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[4,\"2\"]}}");
  }

  @Test
  void specialValuesAreStringsAndTimestampsAreSeconds() throws Exception {
    ApiClient.Reply r = api.get("/api/v1/query", "query", "specials");
    assertThat(r.body()).isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
        + "{\"metric\":{\"__name__\":\"m\",\"v\":\"nan\"},\"value\":[1435781451.781,\"NaN\"]},"
        + "{\"metric\":{\"__name__\":\"m\",\"v\":\"inf\"},\"value\":[1435781451.781,\"+Inf\"]},"
        + "{\"metric\":{\"__name__\":\"m\",\"v\":\"-inf\"},\"value\":[1435781451.781,\"-Inf\"]},"
        + "{\"metric\":{\"__name__\":\"m\",\"v\":\"tiny\"},\"value\":[1435781460,\"1e-07\"]},"
        + "{\"metric\":{\"__name__\":\"m\",\"v\":\"sum\"},\"value\":[0.005,\"0.30000000000000004\"]},"
        + "{\"metric\":{\"v\":\"huge\"},\"value\":[1.500,\"1.5e+21\"]}]}}");
  }

  @Test
  void stringResultsAndLabelValuesAreEscapedAsGoDoes() throws Exception {
    ApiClient.Reply r = api.get("/api/v1/query", "query", "string", "time", "10.5");
    assertThat(r.body()).isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":"
        + "[10.5,\"a \\\"quoted\\\" \\u003cb\\u003e\\u0026\\n\"]}}");
    ApiClient.Reply values = api.get("/api/v1/label/gpu/values", "match[]", "escaped");
    assertThat(values.body()).isEqualTo("{\"status\":\"success\",\"data\":[\"a\\u003cb\\u003e\\u0026\\\"c\\\"\"]}");
  }

  @Test
  void warningsFollowData() throws Exception {
    ApiClient.Reply r = api.get("/api/v1/query", "query", "warn", "time", "100");
    assertThat(r.body()).isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]},"
        + "\"warnings\":[\"something to know\"]}");
  }

  @Test
  void rangeQueriesReturnMatricesOfStoredPoints() throws Exception {
    ApiClient.Reply r = api.post("/api/v1/query_range", "query", "select:small", "start", seconds(T0),
        "end", seconds(T0 + 4000), "step", "1");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{"
        + "\"metric\":{\"__name__\":\"small\",\"gpu\":\"0\",\"node\":\"n1\"},\"values\":["
        + "[" + seconds(T0) + ",\"0\"],[" + seconds(T0 + 1000) + ",\"0.5\"],[" + seconds(T0 + 2000) + ",\"1\"],"
        + "[" + seconds(T0 + 3000) + ",\"1.5\"],[" + seconds(T0 + 4000) + ",\"2\"]]}]}}");
    assertThat(api.get("/api/v1/query_range", "query", "select:small", "start", seconds(T0), "end",
        seconds(T0 + 4000), "step", "1").body()).isEqualTo(r.body());
  }

  @Test
  void errorsCarryTypeMessageAndStatus() throws Exception {
    assertError(api.get("/api/v1/query", "query", "bad"), 400, "bad_data",
        "invalid parameter \"query\": 1:5: parse error: unexpected identifier \"x\"");
    assertError(api.get("/api/v1/query", "query", "exec"), 422, "execution",
        "found duplicate series for the match group");
    assertError(api.get("/api/v1/query", "query", "boom"), 500, "internal", "engine bug");
    assertError(api.get("/api/v1/query", "query", "1+1", "time", "yesterday"), 400, "bad_data",
        "invalid parameter \"time\": Invalid time value for 'time': cannot parse \"yesterday\" to a valid timestamp");
    assertError(api.get("/api/v1/query", "query", "1+1", "timeout", "soon"), 400, "bad_data",
        "invalid parameter \"timeout\": cannot parse \"soon\" to a valid duration");
    assertError(api.get("/api/v1/query_range", "query", "1+1", "end", "10", "step", "1"), 400, "bad_data",
        "invalid parameter \"start\": cannot parse \"\" to a valid timestamp");
    assertError(api.get("/api/v1/query_range", "query", "1+1", "start", "10", "end", "5", "step", "1"), 400,
        "bad_data", "invalid parameter \"end\": end timestamp must not be before start time");
    assertError(api.get("/api/v1/query_range", "query", "1+1", "start", "0", "end", "5", "step", "0"), 400,
        "bad_data", "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. "
            + "Try a positive integer");
    assertError(api.get("/api/v1/query_range", "query", "1+1", "start", "0", "end", "5", "step", "1x"), 400,
        "bad_data", "invalid parameter \"step\": cannot parse \"1x\" to a valid duration");
    assertError(api.get("/api/v1/query_range", "query", "1+1", "start", "0", "end", "11001", "step", "1"), 400,
        "bad_data", "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query "
            + "resolution (?step=XX)");
    assertThat(api.get("/api/v1/query_range", "query", "1+1", "start", "0", "end", "11000", "step", "1").status())
        .isEqualTo(200);
    // A span wider than a long holds (as Prometheus's saturating time difference) is still too many points.
    assertError(api.get("/api/v1/query_range", "query", "1+1", "start", "-9e15", "end", "9e15", "step", "1"), 400,
        "bad_data", "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query "
            + "resolution (?step=XX)");
    assertError(api.get("/api/v1/series"), 400, "bad_data", "no match[] parameter provided");
    assertError(api.get("/api/v1/series", "match[]", "up{"), 400, "bad_data",
        "invalid parameter \"match[]\": 1:4: parse error: unexpected end of input inside braces");
    assertError(api.get("/api/v1/series", "match[]", "{job=\"\"}"), 400, "bad_data",
        "invalid parameter \"match[]\": 1:1: parse error: vector selector must contain at least one non-empty "
            + "matcher");
    assertError(api.get("/api/v1/label/a-b/values"), 400, "bad_data", "invalid label name: \"a-b\"");
    assertError(api.get("/api/v1/query", "query", "1+1", "max_source_resolution", "-300"), 400, "bad_data",
        "invalid parameter \"max_source_resolution\": negative duration -300 is not allowed; give 0 (raw), a "
            + "duration such as 5m, or auto");
  }

  private static void assertError(ApiClient.Reply r, int status, String type, String message) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.json()).containsEntry("status", "error").containsEntry("errorType", type)
        .containsEntry("error", message);
    assertThat(r.body()).startsWith("{\"status\":\"error\",\"errorType\":\"" + type + "\",\"error\":");
  }

  @Test
  void timestampsAndDurationsInEveryForm() throws Exception {
    String rfc = java.time.Instant.ofEpochMilli(T0 + 2000).toString();
    ApiClient.Reply a = api.get("/api/v1/query", "query", "select:small", "time", rfc);
    ApiClient.Reply b = api.get("/api/v1/query", "query", "select:small", "time", seconds(T0 + 2000));
    assertThat(a.body()).isEqualTo(b.body()).contains("\"1\"]");
    ApiClient.Reply c = api.get("/api/v1/query_range", "query", "1+1", "start", "0", "end", "5400", "step", "1h30m");
    assertThat(c.body()).contains("[0,\"2\"],[5400,\"2\"]");
    ApiClient.Reply d = api.get("/api/v1/query_range", "query", "1+1", "start", "0.0004", "end", "0.0016",
        "step", "0.001");
    assertThat(d.body()).contains("[0,\"2\"],[0.001,\"2\"],[0.002,\"2\"]");
  }

  @Test
  void limitTruncatesWithAWarning() throws Exception {
    ApiClient.Reply r = api.get("/api/v1/query", "query", "many", "time", "1", "limit", "3");
    assertThat(ApiClient.list(((Map<?, ?>) r.data()).get("result"))).hasSize(3);
    assertThat(r.warnings()).containsExactly("results truncated due to limit");
    ApiClient.Reply s = api.get("/api/v1/series", "match[]", "wide", "limit", "2");
    assertThat(ApiClient.list(s.data())).hasSize(2);
    assertThat(s.warnings()).containsExactly("results truncated due to limit");
    assertThat(api.get("/api/v1/labels", "limit", "1").warnings()).containsExactly("results truncated due to limit");
  }

  @Test
  void queriesOverTheSampleOrSeriesLimitAre422() throws Exception {
    assertError(api.get("/api/v1/query_range", "query", "select:long", "start", seconds(T0), "end",
        seconds(T0 + 1_500_000), "step", "60", "max_source_resolution", "0"), 422, "execution",
        "query processing would load too many samples into memory in query execution");
    ApiClient.Reply r = api.get("/api/v1/query", "query", "select:wide", "time", seconds(T0 + 5000));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.errorType()).isEqualTo("execution");
    assertThat(r.error()).contains("selects 3 series, more than the limit of 2");
    assertThat(api.get("/api/v1/query", "query", "select:small", "time", seconds(T0 + 5000)).status())
        .isEqualTo(200);
  }

  @Test
  void timeoutsAre503AndTheServerCapsTheRequestedTimeout() throws Exception {
    long t = System.nanoTime();
    assertError(api.get("/api/v1/query", "query", "slow", "timeout", "300ms"), 503, "timeout",
        "query timed out in expression evaluation");
    assertThat(Duration.ofNanos(System.nanoTime() - t)).isLessThan(Duration.ofSeconds(4));
    api.get("/api/v1/query", "query", "1+1", "timeout", "1h");
    assertThat(engine.lastOptions.timeout()).isLessThanOrEqualTo(LIMITS.timeout());
  }

  @Test
  void slowQueriesAreLoggedOnOneLine() throws Exception {
    try (LogCapture log = LogCapture.of(PrometheusApi.QUERY_LOG)) {
      api.get("/api/v1/query", "query", "slow", "timeout", "200ms");
      awaitTrue(() -> log.messages().stream().anyMatch(l -> l.contains("query=\"slow\"")), Duration.ofSeconds(10));
      String line = log.messages().stream().filter(l -> l.contains("query=\"slow\"")).findFirst().orElseThrow();
      assertThat(line).startsWith("slow query: duration=").contains("samples=0").contains("outcome=timeout")
          .doesNotContain("\n");
    }
  }

  @Test
  void aClientThatDisconnectsCancelsItsQuery() throws Exception {
    int before = engine.canceledSeen.get();
    URI uri = URI.create(aggregator.url());
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(("GET /api/v1/query?query=slow&timeout=60s HTTP/1.1\r\nHost: x\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      awaitTrue(() -> engine.running.get() > 0, Duration.ofSeconds(10));
    }
    awaitTrue(() -> engine.canceledSeen.get() > before, Duration.ofSeconds(10));
    awaitTrue(() -> engine.running.get() == 0, Duration.ofSeconds(10));
  }

  /**
   * Form bodies are held before any worker bound applies: slow senders of large forms must not take the heap.
   * Past the budget a POST is refused at once (503 unavailable); once they hang up, the budget is free again.
   */
  @Test
  void formBodiesBeingReceivedAreBoundedTogether() throws Exception {
    List<java.net.Socket> slow = new java.util.ArrayList<>();
    int port = URI.create(aggregator.url()).getPort();
    int fill = (int) (PrometheusApi.MAX_FORM_BYTES_HELD / (8 << 20));
    try {
      // Senders that announce 8 MiB and send a few bytes fill the budget. One that races a probe in may be refused
      // itself (it then has an answer to read): it is replaced, until a probe is refused.
      ApiClient.Reply[] refused = {null};
      awaitTrue(() -> {
        try {
          slow.removeIf(QueryApiTest::answeredAndClosed);
          while (slow.size() < fill) {
            slow.add(slowFormSender(port));
          }
          refused[0] = api.post("/api/v1/query", "query", "1+1");
          return refused[0].status() == 503;
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }, Duration.ofSeconds(20));
      assertThat(refused[0].errorType()).isEqualTo("unavailable");
      assertThat(refused[0].error()).contains("too many POST bodies");
      assertThat(api.get("/api/v1/query", "query", "1+1").status()).as("GET needs no body").isEqualTo(200);
    } finally {
      for (java.net.Socket socket : slow) {
        socket.close();
      }
    }
    awaitTrue(() -> {
      try {
        return api.post("/api/v1/query", "query", "1+1").status() == 200;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, Duration.ofSeconds(10));
  }

  /** A POST that announces 8 MiB of form and sends six bytes of it. */
  private static java.net.Socket slowFormSender(int port) throws java.io.IOException {
    java.net.Socket socket = new java.net.Socket("127.0.0.1", port);
    socket.getOutputStream().write(("POST /api/v1/query HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + (8 << 20) + "\r\n\r\nquery=")
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    return socket;
  }

  /** Whether the server has answered (refused) a sender, which then no longer holds part of the budget; closed. */
  private static boolean answeredAndClosed(java.net.Socket socket) {
    try {
      if (socket.getInputStream().available() == 0) {
        return false;
      }
      socket.close();
    } catch (java.io.IOException e) {
      // gone either way
    }
    return true;
  }

  @Test
  void methodsOtherThanGetAndPostAre405() throws Exception {
    ApiClient.Reply r = api.send(HttpRequest.newBuilder(URI.create(aggregator.url() + "/api/v1/query?query=1"))
        .method("PUT", HttpRequest.BodyPublishers.noBody()));
    assertThat(r.status()).isEqualTo(405);
    assertThat(api.post("/api/v1/status/buildinfo").status()).isEqualTo(405);
  }

  @Test
  void seriesLabelsAndValuesByGetAndPost() throws Exception {
    for (boolean post : new boolean[] {false, true}) {
      // Two series together: this class's limit (query.maxSeries 2) holds for the selectors' union too.
      ApiClient.Reply s = call(post, "/api/v1/series", "match[]", "wide{gpu=~\"0\"}", "match[]", "small");
      assertThat(s.body()).isEqualTo("{\"status\":\"success\",\"data\":["
          + "{\"__name__\":\"small\",\"gpu\":\"0\",\"node\":\"n1\"},"
          + "{\"__name__\":\"wide\",\"gpu\":\"0\",\"node\":\"n0\"}]}");
      ApiClient.Reply l = call(post, "/api/v1/labels", "match[]", "wide");
      assertThat(l.body()).isEqualTo("{\"status\":\"success\",\"data\":[\"__name__\",\"gpu\",\"node\"]}");
    }
    ApiClient.Reply all = api.get("/api/v1/label/__name__/values");
    assertThat(all.body()).isEqualTo("{\"status\":\"success\",\"data\":[\"escaped\",\"long\",\"small\",\"wide\"]}");
    ApiClient.Reply nodes = api.get("/api/v1/label/node/values", "match[]", "wide", "start", seconds(T0),
        "end", seconds(T0 + 60_000));
    assertThat(nodes.body()).isEqualTo("{\"status\":\"success\",\"data\":[\"n0\",\"n1\",\"n2\"]}");
    ApiClient.Reply escaped = api.get("/api/v1/label/U__node/values", "match[]", "wide");
    assertThat(escaped.body()).isEqualTo(nodes.body());
    assertThat(api.get("/api/v1/label/U__http_2e_status__code/values").body())
        .isEqualTo("{\"status\":\"success\",\"data\":[]}");
    ApiClient.Reply none = api.get("/api/v1/series", "match[]", "wide", "start", seconds(T0 - 7_200_000),
        "end", seconds(T0 - 3_600_000));
    assertThat(none.body()).isEqualTo("{\"status\":\"success\",\"data\":[]}");
  }

  private static ApiClient.Reply call(boolean post, String path, String... params) throws Exception {
    return post ? api.post(path, params) : api.get(path, params);
  }

  @Test
  void selfMetricsCountRequestsByEndpointAndOutcome() throws Exception {
    api.get("/api/v1/query", "query", "1+1", "time", "4");
    api.get("/api/v1/query", "query", "bad");
    api.get("/api/v1/query_range", "query", "select:small", "start", seconds(T0), "end", seconds(T0 + 4000),
        "step", "1");
    HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(aggregator.url() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body())
        .contains("acceltel_aggregator_api_requests_total{endpoint=\"query\",outcome=\"success\"}")
        .contains("acceltel_aggregator_api_requests_total{endpoint=\"query\",outcome=\"bad_data\"}")
        .contains("acceltel_aggregator_api_request_duration_seconds_bucket{endpoint=\"query_range\"")
        .containsPattern("acceltel_aggregator_query_samples_read_total [1-9]");
  }

  @Test
  void metadataComesFromTheCatalog() throws Exception {
    ApiClient.Reply all = api.get("/api/v1/metadata");
    assertThat(all.status()).isEqualTo(200);
    Map<?, ?> data = (Map<?, ?>) all.data();
    assertThat(new java.util.ArrayList<Object>(data.keySet())).contains("accelerator_power_watts", "accelerator_energy_joules_total");
    ApiClient.Reply one = api.get("/api/v1/metadata", "metric", "accelerator_power_watts");
    assertThat(one.body()).startsWith("{\"status\":\"success\",\"data\":{\"accelerator_power_watts\":[{\"type\":"
        + "\"gauge\",\"help\":\"").endsWith("\",\"unit\":\"watts\"}]}}");
    assertThat((Map<?, ?>) api.get("/api/v1/metadata", "limit", "2").data()).hasSize(2);
    assertThat(api.get("/api/v1/metadata", "metric", "nope").body()).isEqualTo("{\"status\":\"success\",\"data\":{}}");
  }

  @Test
  void buildInfoHasPrometheusFieldsAndNoFeatures() throws Exception {
    ApiClient.Reply r = api.get("/api/v1/status/buildinfo");
    assertThat(r.status()).isEqualTo(200);
    Map<?, ?> data = (Map<?, ?>) r.data();
    assertThat(new java.util.ArrayList<Object>(data.keySet())).contains("version", "revision", "branch", "buildUser", "buildDate", "goVersion");
    assertThat((Map<?, ?>) data.get("features")).isEmpty();
  }

  /**
   * Bursts of 60 concurrent requests (slow, huge, malformed, over the points limit, erroring) against 2 workers and a
   * queue of 2: each gets a well-formed JSON verdict (400, 422, 500 or 503), the pool never grows past 2 threads,
   * the server serves normally afterwards with no query left running, and five bursts leave the heap where one
   * left it.
   */
  @Test
  void burstsNeverCrashOrLeakAndLeaveTheServerServing() throws Exception {
    burst();
    long baseline = usedHeapAfterGc();
    for (int i = 0; i < 5; i++) {
      burst();
    }
    long after = usedHeapAfterGc();
    assertThat(after - baseline).as("heap growth over five bursts, bytes").isLessThan(64L << 20);
    assertThat(api.get("/api/v1/query", "query", "1+1", "time", "4").status()).isEqualTo(200);
    assertThat(api.get("/api/v1/series", "match[]", "small").status()).isEqualTo(200);
  }

  private static void burst() throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    String[] queries = {"slow", "bad", "select:long", "select:wide", "exec", "boom", "1+1"};
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      String q = ApiClient.form("query", queries[i % queries.length], "timeout", "500ms", "start", seconds(T0),
          "end", seconds(T0 + 1_500_000), "step", i % queries.length == 6 ? "0.1" : "60",
          "max_source_resolution", "0");
      calls.add(client.sendAsync(HttpRequest.newBuilder(URI.create(aggregator.url() + "/api/v1/query_range"))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(q)).build(), HttpResponse.BodyHandlers.ofString()));
    }
    int refused = 0;
    for (CompletableFuture<HttpResponse<String>> c : calls) {
      HttpResponse<String> r = c.get();
      assertThat(r.statusCode()).isIn(400, 422, 500, 503);
      Map<String, Object> json = Json.object(r.body());
      assertThat(json).containsEntry("status", "error").containsKeys("errorType", "error");
      if ("unavailable".equals(json.get("errorType"))) {
        refused++;
        assertThat(r.statusCode()).isEqualTo(503);
      }
      assertThat(queryThreads()).isLessThanOrEqualTo(LIMITS.maxConcurrent());
    }
    assertThat(refused).isPositive();
    awaitTrue(() -> engine.running.get() == 0, Duration.ofSeconds(10));
  }

  private static long usedHeapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  private static long queryThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("acceltel-query-"))
        .count();
  }

  @Test
  void withoutAnEngineQueriesAre503AndTheRestWorks(@TempDir Path other) throws Exception {
    try (Aggregator bare = Aggregator.start(AggregatorSettings.defaults(other, Optional.empty())
        .withListen("127.0.0.1", 0), Optional.empty())) {
      ApiClient c = new ApiClient(bare.url());
      ApiClient.Reply q = c.get("/api/v1/query", "query", "1+1");
      assertThat(q.status()).isEqualTo(503);
      assertThat(q.errorType()).isEqualTo("unavailable");
      assertThat(c.get("/api/v1/labels").body()).isEqualTo("{\"status\":\"success\",\"data\":[]}");
    }
  }

  static void awaitTrue(BooleanSupplier condition, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("condition not met within " + within);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(5_000_000); // polling, not synchronizing: the deadline decides
    }
  }
}
