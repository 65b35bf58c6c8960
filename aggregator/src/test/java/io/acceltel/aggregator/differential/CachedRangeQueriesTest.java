package io.acceltel.aggregator.differential;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.aggregator.Aggregator;
import io.acceltel.aggregator.AggregatorSettings;
import io.acceltel.aggregator.api.ApiClient;
import io.acceltel.model.remotewrite.WriteRequestEncoder;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.DoubleStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * The range-result cache on the real server: every range query of the differential corpus, asked the way a
 * refreshing dashboard asks (an earlier window first, then the window moved on, then once more, then reaching
 * further back), answers byte for byte what the same request answers with {@code nocache=1}, on raw data and on
 * the tiers the automatic resolution picks. And data that arrives late, under steps the cache keeps, shows up.
 */
class CachedRangeQueriesTest {
  @TempDir
  static Path dir;
  private static Aggregator aggregator;
  private static ApiClient api;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    aggregator = Aggregator.start(AggregatorSettings.defaults(dir, Optional.empty()).withListen("127.0.0.1", 0));
    api = new ApiClient(aggregator.url());
    for (byte[] request : Dataset.generate().requests(60_000)) {
      write(request);
    }
  }

  @AfterAll
  static void stop() {
    if (aggregator != null) {
      aggregator.close();
    }
  }

  private static void write(byte[] request) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(aggregator.url() + "/api/v1/write"))
        .header("Content-Encoding", "snappy").header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(Snappy.compress(request))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
  }

  private static String range(String query, long start, long end, long step, String resolution, boolean nocache)
      throws Exception {
    List<String> params = new ArrayList<>(List.of("query", query, "start", Corpus.seconds(start), "end",
        Corpus.seconds(end), "step", Double.toString(step / 1000.0), "max_source_resolution", resolution));
    if (nocache) {
      params.addAll(List.of("nocache", "1"));
    }
    return api.post("/api/v1/query_range", params.toArray(String[]::new)).body();
  }

  private static double cacheRequests(String outcome) {
    for (var snapshot : aggregator.registry().scrape()) {
      if (snapshot.getMetadata().getPrometheusName().equals("acceltel_aggregator_query_cache_requests")) {
        for (CounterSnapshot.CounterDataPointSnapshot p : ((CounterSnapshot) snapshot).getDataPoints()) {
          if (p.getLabels().get("outcome").equals(outcome)) {
            return p.getValue();
          }
        }
      }
    }
    return 0;
  }

  @Test
  void everyRangeQueryOfTheCorpusAnswersAsWithoutTheCache() throws Exception {
    List<Corpus.Query> queries = Corpus.load(PrometheusDifferentialTest.corpusFiles()).stream()
        .filter(Corpus.Query::range).toList();
    assertThat(queries).hasSizeGreaterThan(100);
    double hitsBefore = cacheRequests("hit");
    double partialBefore = cacheRequests("partial");
    List<String> mismatches = new ArrayList<>();
    for (String resolution : List.of("0", "auto")) {
      for (Corpus.Query q : queries) {
        long step = q.step();
        long start = q.start();
        long end = q.end();
        range(q.promql(), start - 7 * step, end - 7 * step, step, resolution, false); // an earlier refresh
        String[][] requests = {
            {"moved on", Long.toString(start), Long.toString(end)},
            {"again", Long.toString(start), Long.toString(end)},
            {"further back", Long.toString(start - 3 * step), Long.toString(end)}};
        for (String[] r : requests) {
          long from = Long.parseLong(r[1]);
          long to = Long.parseLong(r[2]);
          String expected = range(q.promql(), from, to, step, resolution, true);
          String actual = range(q.promql(), from, to, step, resolution, false);
          // Two equal answers are no pass when both are the engine's own failure (a tier read it could not serve).
          if (expected.contains("\"errorType\":\"internal\"")) {
            mismatches.add(q.describe() + " (" + r[0] + ", max_source_resolution=" + resolution + ")\n  internal "
                + "error " + expected);
          } else if (!expected.equals(actual)) {
            mismatches.add(q.describe() + " (" + r[0] + ", max_source_resolution=" + resolution + ")\n  nocache "
                + expected + "\n  cached  " + actual);
          }
        }
      }
    }
    assertThat(mismatches).as(String.join("\n", mismatches)).isEmpty();
    // It was the cache that answered: most repeats were whole hits, most moved windows partial.
    assertThat(cacheRequests("hit") - hitsBefore).isGreaterThan(queries.size());
    assertThat(cacheRequests("partial") - partialBefore).isGreaterThan(queries.size());
  }

  @Test
  void aSeriesArrivingLateUnderKeptStepsIsAnswered() throws Exception {
    long t0 = Dataset.T0;
    write(tenMinutesOfOnes("n1", t0));
    String query = "count(late_arrivals)";
    String before = range(query, t0, t0 + 540_000, 60_000, "0", false);
    assertThat(before).contains("[" + (t0 + 300_000) / 1000 + ",\"1\"]");
    assertThat(range(query, t0, t0 + 540_000, 60_000, "0", false)).isEqualTo(before); // kept

    // A node whose ticks were held while Kafka was down: its samples are an hour old when they arrive.
    write(tenMinutesOfOnes("n2", t0));
    String after = range(query, t0, t0 + 540_000, 60_000, "0", false);
    assertThat(after).contains("[" + (t0 + 300_000) / 1000 + ",\"2\"]")
        .isEqualTo(range(query, t0, t0 + 540_000, 60_000, "0", true));
  }

  /** One sample a second from {@code from}, ten minutes of them, each 1. */
  private static byte[] tenMinutesOfOnes(String node, long from) {
    return new WriteRequestEncoder().series(Map.of("__name__", "late_arrivals", "node", node),
        LongStream.range(0, 600).map(i -> from + i * 1000).toArray(), DoubleStream.generate(() -> 1).limit(600)
        .toArray()).encode();
  }
}
