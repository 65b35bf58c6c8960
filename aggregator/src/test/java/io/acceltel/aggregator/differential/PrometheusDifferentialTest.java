package io.acceltel.aggregator.differential;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.aggregator.Aggregator;
import io.acceltel.aggregator.AggregatorSettings;
import io.acceltel.aggregator.api.ApiClient;
import io.acceltel.aggregator.api.QueryLimits;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * Differential tests against the real Prometheus 2.42: both servers run on loopback, receive the same remote_write
 * requests ({@link Dataset}), and answer every query of the corpus ({@code differential/*.queries}); the answers
 * must agree ({@link ResultComparison}) except where the corpus marks a documented deliberate difference
 * ({@code differential/KNOWN_DIFFERENCES.md}). The aggregator is asked with {@code max_source_resolution=0} so both
 * read raw samples; tier answers are compared with raw answers in {@code TierQueryTest}.
 */
class PrometheusDifferentialTest {
  @TempDir
  static Path dir;
  private static PrometheusServer prometheus;
  private static Aggregator aggregator;
  private static ApiClient prom;
  private static ApiClient ours;
  private static Dataset dataset;

  @BeforeAll
  static void start() throws Exception {
    prometheus = PrometheusServer.start(Files.createDirectories(dir.resolve("prometheus")));
    aggregator = Aggregator.start(AggregatorSettings.defaults(dir.resolve("aggregator"), Optional.empty())
        .withListen("127.0.0.1", 0).withQueryLimits(QueryLimits.DEFAULT.withConcurrency(4, 100)));
    prom = new ApiClient(prometheus.url());
    ours = new ApiClient(aggregator.url());
    dataset = Dataset.generate();
    HttpClient http = HttpClient.newHttpClient();
    for (byte[] request : dataset.requests(60_000)) {
      byte[] body = Snappy.compress(request);
      for (String url : List.of(prometheus.url(), aggregator.url())) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/write"))
            .header("Content-Encoding", "snappy").header("Content-Type", "application/x-protobuf")
            .header("X-Prometheus-Remote-Write-Version", "0.1.0")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("remote_write to %s: %s", url, r.body()).isBetween(200, 299);
      }
    }
    awaitSameSeriesCount(Duration.ofSeconds(60));
  }

  private static void awaitSameSeriesCount(Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    int expected = dataset.series.size();
    while (true) {
      int p = seriesCount(prom);
      int a = seriesCount(ours);
      if (p == expected && a == expected) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("series after loading: prometheus " + p + ", acceltel " + a + ", sent " + expected
            + "\n" + prometheus.logTail());
      }
      LockSupport.parkNanos(100_000_000); // polling with a deadline
    }
  }

  private static int seriesCount(ApiClient api) throws Exception {
    ApiClient.Reply r = api.get("/api/v1/series", "match[]", "{__name__=~\".+\"}", "start",
        Long.toString(Dataset.T0 / 1000 - 3600), "end", Long.toString(Dataset.T0 / 1000 + 7200));
    return r.status() == 200 ? ((List<?>) r.data()).size() : -1;
  }

  @AfterAll
  static void stop() {
    if (aggregator != null) {
      aggregator.close();
    }
    if (prometheus != null) {
      prometheus.close();
    }
  }

  static List<String> corpusFiles() throws IOException, URISyntaxException {
    Path corpus = Path.of(PrometheusDifferentialTest.class.getResource("/differential").toURI());
    try (Stream<Path> files = Files.list(corpus)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".queries")).sorted().toList();
    }
  }

  @Test
  void theCorpusAnswersLikePrometheus() throws Exception {
    List<Corpus.Query> queries = Corpus.load(corpusFiles());
    assertThat(queries).hasSizeGreaterThanOrEqualTo(300);
    List<String> mismatches = new ArrayList<>();
    List<String> known = new ArrayList<>();
    int errors = 0;
    int empty = 0;
    for (Corpus.Query q : queries) {
      ApiClient.Reply expected = run(prom, q, false);
      ApiClient.Reply actual = run(ours, q, true);
      if (expected.json() != null && "error".equals(expected.json().get("status"))) {
        errors++;
      } else if (expected.data() instanceof java.util.Map<?, ?> d && d.get("result") instanceof List<?> l
          && l.isEmpty()) {
        empty++;
      }
      boolean ordered = q.promql().startsWith("sort(") || q.promql().startsWith("sort_desc(");
      List<String> diffs = ResultComparison.compare(expected, actual, ordered);
      if (diffs.isEmpty()) {
        continue;
      }
      String report = q.describe() + "\n    " + String.join("\n    ", diffs);
      if (q.knownDifference() != null) {
        known.add(report + "\n    (known difference: " + q.knownDifference() + ")");
      } else {
        mismatches.add(report);
      }
    }
    String summary = String.format(Locale.ROOT, "differential corpus: %d queries (%d errors, %d empty results on "
            + "Prometheus) over %d series / %d samples; %d mismatches, %d known differences%n", queries.size(),
        errors, empty, dataset.series.size(), dataset.sampleCount(), mismatches.size(), known.size());
    StringBuilder out = new StringBuilder(summary);
    for (String m : mismatches) {
      out.append("MISMATCH ").append(m).append('\n');
    }
    for (String k : known) {
      out.append("KNOWN ").append(k).append('\n');
    }
    Path report = Path.of("target", "differential-report.txt");
    Files.createDirectories(report.getParent());
    Files.writeString(report, out, StandardCharsets.UTF_8);
    System.out.print(out);
    assertThat(mismatches).as(out.toString()).isEmpty();
  }

  private static ApiClient.Reply run(ApiClient api, Corpus.Query q, boolean acceltel) throws Exception {
    List<String> params = new ArrayList<>(List.of("query", q.promql()));
    if (q.range()) {
      params.addAll(List.of("start", Corpus.seconds(q.start()), "end", Corpus.seconds(q.end()), "step",
          Double.toString(q.step() / 1000.0)));
    } else {
      params.addAll(List.of("time", Corpus.seconds(q.time())));
    }
    if (acceltel) {
      params.addAll(List.of("max_source_resolution", "0"));
    }
    String path = q.range() ? "/api/v1/query_range" : "/api/v1/query";
    return api.post(path, params.toArray(String[]::new));
  }

  /** Simple answers are byte for byte Prometheus's: key order, number and timestamp text, escaping. */
  @Test
  void simpleAnswersAreByteIdentical() throws Exception {
    String t = Corpus.seconds(Dataset.T0 + 1_800_123);
    List<String[]> cases = List.of(
        new String[] {"1+1", "4"},
        new String[] {"", "4"},
        new String[] {"1.5", "1.5"},
        new String[] {"0.1+0.2", t},
        new String[] {"1e-7", t},
        new String[] {"1e21*3", t},
        new String[] {"-0.0000123", t},
        new String[] {"0/0", t},
        new String[] {"1/0", t},
        new String[] {"-1/0", t},
        new String[] {"\"a <b> & \\\"c\\\"\"", t},
        new String[] {"time()", t},
        new String[] {"vector(123456789.125)", t},
        new String[] {"gpu_power_watts{node=\"n1\",gpu=\"0\"}", t},
        new String[] {"special_values{kind=\"inf\"}", t},
        new String[] {"labels_test", t},
        new String[] {"nonexistent_metric", t},
        new String[] {"sum(", t},
        new String[] {"rate(gpu_power_watts)", t});
    List<String> diffs = new ArrayList<>();
    for (String[] c : cases) {
      String p = prom.get("/api/v1/query", "query", c[0], "time", c[1]).body();
      String a = ours.get("/api/v1/query", "query", c[0], "time", c[1]).body();
      boolean error = p.startsWith("{\"status\":\"error\"");
      // Error messages may differ: compare the envelope up to the message.
      String pc = error ? p.substring(0, p.indexOf("\"error\":")) : p;
      String ac = error && a.contains("\"error\":") ? a.substring(0, a.indexOf("\"error\":")) : a;
      if (!pc.equals(ac)) {
        diffs.add(c[0] + " at " + c[1] + ":\n  prometheus " + p + "\n  acceltel   " + a);
      }
    }
    ApiClient.Reply pr = prom.get("/api/v1/query_range", "query", "gpu_temperature_celsius{node=\"n1\",gpu=\"0\"}",
        "start", Corpus.seconds(Dataset.T0), "end", Corpus.seconds(Dataset.T0 + 300_500), "step", "30.25");
    ApiClient.Reply ar = ours.get("/api/v1/query_range", "query", "gpu_temperature_celsius{node=\"n1\",gpu=\"0\"}",
        "start", Corpus.seconds(Dataset.T0), "end", Corpus.seconds(Dataset.T0 + 300_500), "step", "30.25");
    if (!pr.body().equals(ar.body())) {
      diffs.add("range:\n  prometheus " + pr.body() + "\n  acceltel   " + ar.body());
    }
    assertThat(diffs).as(String.join("\n", diffs)).isEmpty();
  }

  /**
   * The per-request {@code lookback_delta}: Prometheus 2.42 ignores it (later releases honour it), the aggregator
   * honours it (KNOWN_DIFFERENCES.md). So: with the default or {@code 0} both answer alike; with 1m, the aggregator
   * no longer sees across the 4-minute gap, while Prometheus still does.
   */
  @Test
  void lookbackDeltaIsHonouredWherePrometheus242IgnoresIt() throws Exception {
    String t = Corpus.seconds(Dataset.T0 + 32 * 60_000);
    for (String lookback : List.of("0", "5m", "300")) {
      ApiClient.Reply p = prom.get("/api/v1/query", "query", "gappy_gauge", "time", t, "lookback_delta", lookback);
      ApiClient.Reply a = ours.get("/api/v1/query", "query", "gappy_gauge", "time", t, "lookback_delta", lookback);
      assertThat(ResultComparison.compare(p, a, false)).as("lookback_delta=" + lookback).isEmpty();
    }
    ApiClient.Reply p = prom.get("/api/v1/query", "query", "gappy_gauge", "time", t, "lookback_delta", "1m");
    ApiClient.Reply a = ours.get("/api/v1/query", "query", "gappy_gauge", "time", t, "lookback_delta", "1m");
    assertThat(ApiClient.list(((java.util.Map<?, ?>) p.data()).get("result"))).hasSize(2);
    assertThat(ApiClient.list(((java.util.Map<?, ?>) a.data()).get("result"))).singleElement()
        .satisfies(series -> assertThat(series.toString()).contains("gap=long"));
  }

  /** Parameter errors of the API (not the engine's): same status, errorType and message, word for word. */
  @Test
  void parameterErrorsMatchPrometheusWordForWord() throws Exception {
    String[][] calls = {
        {"/api/v1/query", "query", "1", "time", "yesterday"},
        {"/api/v1/query", "query", "1", "timeout", "soon"},
        {"/api/v1/query_range", "query", "1", "end", "10", "step", "1"},
        {"/api/v1/query_range", "query", "1", "start", "x", "end", "10", "step", "1"},
        {"/api/v1/query_range", "query", "1", "start", "0", "end", "y", "step", "1"},
        {"/api/v1/query_range", "query", "1", "start", "10", "end", "5", "step", "1"},
        {"/api/v1/query_range", "query", "1", "start", "0", "end", "5"},
        {"/api/v1/query_range", "query", "1", "start", "0", "end", "5", "step", "0"},
        {"/api/v1/query_range", "query", "1", "start", "0", "end", "5", "step", "-1"},
        {"/api/v1/query_range", "query", "1", "start", "0", "end", "5", "step", "1x"},
        {"/api/v1/query_range", "query", "1", "start", "0", "end", "11001", "step", "1"},
        {"/api/v1/query_range", "query", "1", "start", "0", "end", "100", "step", "1", "timeout", "x"},
        {"/api/v1/series"},
        {"/api/v1/series", "match[]", "up", "start", "x"},
        {"/api/v1/labels", "end", "x"},
        {"/api/v1/label/a-b/values"}};
    List<String> diffs = new ArrayList<>();
    for (String[] c : calls) {
      String[] params = List.of(c).subList(1, c.length).toArray(String[]::new);
      ApiClient.Reply p = prom.get(c[0], params);
      ApiClient.Reply a = ours.get(c[0], params);
      if (p.status() != a.status() || !p.body().equals(a.body())) {
        diffs.add(String.join(" ", c) + ":\n  prometheus " + p.status() + " " + p.body() + "\n  acceltel   "
            + a.status() + " " + a.body());
      }
    }
    assertThat(diffs).as(String.join("\n", diffs)).isEmpty();
  }

  /** Series, labels and label values agree with Prometheus's on the same data. */
  @Test
  void metadataEndpointsAnswerLikePrometheus() throws Exception {
    String start = Corpus.seconds(Dataset.T0);
    String end = Corpus.seconds(Dataset.T0 + Dataset.HOUR);
    String[][] calls = {
        {"/api/v1/labels"},
        {"/api/v1/labels", "match[]", "gpu_power_watts"},
        {"/api/v1/label/__name__/values"},
        {"/api/v1/label/node/values", "match[]", "tick_duration_seconds_bucket"},
        {"/api/v1/label/le/values"},
        {"/api/v1/series", "match[]", "http_requests_total{instance=\"i2\"}", "match[]", "node_info"},
        {"/api/v1/series", "match[]", "{__name__=~\"gpu_.*\",node!~\"n[12]\"}"},
        {"/api/v1/series", "match[]", "stale_series", "start", Corpus.seconds(Dataset.T0 + 2_500_000), "end",
            Corpus.seconds(Dataset.T0 + 2_600_000)},
        {"/api/v1/series", "match[]", "up{"},
        {"/api/v1/series"}};
    List<String> diffs = new ArrayList<>();
    for (String[] c : calls) {
      List<String> params = new ArrayList<>(List.of(c).subList(1, c.length));
      if (!params.contains("start")) {
        params.addAll(List.of("start", start, "end", end));
      }
      ApiClient.Reply p = prom.get(c[0], params.toArray(String[]::new));
      ApiClient.Reply a = ours.get(c[0], params.toArray(String[]::new));
      boolean same = p.status() == a.status() && (p.status() != 200 ? p.errorType().equals(a.errorType())
          : p.body().equals(a.body()));
      if (!same) {
        diffs.add(String.join(" ", c) + ":\n  prometheus " + p.status() + " " + p.body() + "\n  acceltel   "
            + a.status() + " " + a.body());
      }
    }
    assertThat(diffs).as(String.join("\n", diffs)).isEmpty();
  }

  /** Every PromQL function, aggregation and binary operator of Prometheus 2.42 appears in the corpus. */
  @Test
  void theCorpusCoversEveryFunctionOperatorAndAggregation() throws Exception {
    StringBuilder all = new StringBuilder();
    for (Corpus.Query q : Corpus.load(corpusFiles())) {
      all.append(q.promql()).append('\n');
    }
    String text = all.toString();
    List<String> functions = List.of("abs", "absent", "absent_over_time", "acos", "acosh", "asin", "asinh", "atan",
        "atanh", "avg_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min", "cos", "cosh",
        "count_over_time", "days_in_month", "day_of_month", "day_of_week", "day_of_year", "deg", "delta", "deriv",
        "exp", "floor", "histogram_count", "histogram_sum", "histogram_fraction", "histogram_quantile",
        "holt_winters", "hour", "idelta", "increase", "irate", "label_join", "label_replace", "last_over_time", "ln",
        "log10", "log2", "max_over_time", "min_over_time", "minute", "month", "pi", "predict_linear",
        "present_over_time", "quantile_over_time", "rad", "rate", "resets", "round", "scalar", "sgn", "sin", "sinh",
        "sort", "sort_desc", "sqrt", "stddev_over_time", "stdvar_over_time", "sum_over_time", "tan", "tanh", "time",
        "timestamp", "vector", "year");
    List<String> aggregations = List.of("sum", "min", "max", "avg", "group", "stddev", "stdvar", "count",
        "count_values", "bottomk", "topk", "quantile");
    List<String> missing = new ArrayList<>();
    for (String f : Stream.concat(functions.stream(), aggregations.stream()).toList()) {
      if (!Pattern.compile("(?<![a-z_:])" + f + "\\s*(\\(|by|without)").matcher(text).find()) {
        missing.add(f);
      }
    }
    for (String op : List.of(" + ", " - ", " * ", " / ", " % ", " ^ ", " == ", " != ", " > ", " < ", " >= ",
        " <= ", " and ", " or ", " unless ", " atan2 ", " bool ", " on(", " ignoring(", " group_left", " group_right",
        " offset ", " @ ", ":]", "start()", "end()")) {
      if (!text.contains(op)) {
        missing.add("'" + op.strip() + "'");
      }
    }
    assertThat(missing).as("not covered by the corpus").isEmpty();
  }
}
