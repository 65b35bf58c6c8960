package io.acceltel.aggregator.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.aggregator.Aggregator;
import io.acceltel.aggregator.AggregatorSettings;
import io.acceltel.aggregator.api.ApiClient;
import io.acceltel.aggregator.api.PromFormat;
import io.acceltel.model.remotewrite.WriteRequestEncoder;
import io.acceltel.aggregator.storage.Resolution;
import io.acceltel.aggregator.storage.StorageConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * The same PromQL on downsampled tiers and on raw data, through the HTTP API and the real engine, gives the same
 * numbers when ranges are aligned to the tier's windows: max/min/sum/count/avg_over_time, and rate/increase of a
 * counter with resets. Samples sit half a second after each second, so a range {@code [t - 1m, t]} with t on a
 * minute holds exactly six whole 10 s windows. Also: a query whose raw data has aged out is answered from a
 * tier.
 */
class TierQueryTest {
  /** An hour boundary in 2023; the data is two hours of 1 s samples from here. */
  private static final long S = 1_700_002_800_000L;
  private static final int SECONDS = 2 * 3600;
  @TempDir
  static Path dir;
  private static Aggregator aggregator;
  private static ApiClient api;

  @BeforeAll
  static void start() throws Exception {
    // Raw keeps 70 minutes of data time (10-minute blocks), so data before S+50m is left only in the tiers.
    StorageConfig storage = StorageConfig.builder()
        .blockDuration(Resolution.RAW, Duration.ofMinutes(10))
        .retention(Resolution.RAW, Duration.ofMinutes(70))
        .build();
    aggregator = Aggregator.start(AggregatorSettings.defaults(dir, Optional.empty()).withListen("127.0.0.1", 0)
        .withStorage(storage).withCheckpointEvery(Duration.ofMillis(200)));
    api = new ApiClient(aggregator.url());
    Random r = new Random(5);
    HttpClient http = HttpClient.newHttpClient();
    for (int from = 0; from < SECONDS; from += 600) {
      int n = Math.min(600, SECONDS - from);
      long[] t = new long[n];
      double[] gauge = new double[n];
      double[] counter = new double[n];
      for (int i = 0; i < n; i++) {
        int s = from + i;
        t[i] = S + s * 1000L + 500;
        gauge[i] = s % 977 == 3 ? Double.NaN : (200_000 + r.nextInt(300_000)) / 1000.0;
        counter[i] = 5.0 * (s % 1000 + 1); // 5 per second, reset every 1000 s: the corrected counter is linear
      }
      byte[] body = Snappy.compress(new WriteRequestEncoder()
          .series(Map.of("__name__", "power", "gpu", "0"), t, gauge)
          .series(Map.of("__name__", "energy_total", "gpu", "0"), t, counter).encode());
      HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(aggregator.url() + "/api/v1/write"))
          .header("Content-Encoding", "snappy").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(resp.statusCode()).as(resp.body()).isEqualTo(204);
    }
    // Checkpoints (every 200 ms) cut blocks and apply retention; wait until raw no longer covers S+9m..S+45m.
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (aggregator.storage().querier().resolutionsCovering(S + 540_000, S + 2_700_000)
        .contains(Resolution.RAW)) {
      assertThat(System.nanoTime() - deadline).as("raw retention never applied").isNegative();
      LockSupport.parkNanos(20_000_000); // polling with a deadline
    }
  }

  @AfterAll
  static void stop() {
    if (aggregator != null) {
      aggregator.close();
    }
  }

  private static List<?> matrix(String query, long start, long end, long step, String resolution)
      throws Exception {
    List<String> params = new ArrayList<>(List.of("query", query, "start", PromFormat.timestamp(start), "end",
        PromFormat.timestamp(end), "step", Long.toString(step / 1000)));
    if (resolution != null) {
      params.addAll(List.of("max_source_resolution", resolution));
    }
    params.addAll(List.of("nocache", "1")); // every step evaluated: these tests are about the tiers
    ApiClient.Reply r = api.get("/api/v1/query_range", params.toArray(String[]::new));
    assertThat(r.status()).as(query + ": " + r.body()).isEqualTo(200);
    List<?> result = (List<?>) ((Map<?, ?>) r.data()).get("result");
    assertThat(result).as(query + " @" + resolution).hasSize(1);
    return (List<?>) ((Map<?, ?>) result.get(0)).get("values");
  }

  private static void assertSame(String query, long start, long end, long step, String tier, String raw)
      throws Exception {
    List<?> expected = matrix(query, start, end, step, raw);
    List<?> actual = matrix(query, start, end, step, tier);
    assertThat(actual).as(query).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      List<?> e = (List<?>) expected.get(i);
      List<?> a = (List<?>) actual.get(i);
      assertThat(a.get(0)).as(query + " timestamp " + i).isEqualTo(e.get(0));
      double ev = Double.parseDouble(((String) e.get(1)).replace("+Inf", "Infinity").replace("-Inf", "-Infinity"));
      double av = Double.parseDouble(((String) a.get(1)).replace("+Inf", "Infinity").replace("-Inf", "-Infinity"));
      if (Double.isNaN(ev)) {
        assertThat(av).as(query + " at " + e.get(0)).isNaN();
      } else {
        assertThat(av).as(query + " at " + e.get(0) + " (tier " + tier + ")")
            .isCloseTo(ev, org.assertj.core.api.Assertions.within(Math.abs(ev) * 1e-9 + 1e-9));
      }
    }
  }

  /** Over the second hour raw data is still there: the 10 s and 1 m tiers answer like raw. */
  @Test
  void overTimeFunctionsOnTiersEqualRaw() throws Exception {
    long start = S + 3_660_000;
    long end = S + 7_140_000;
    for (String fn : List.of("max_over_time", "min_over_time", "sum_over_time", "count_over_time",
        "avg_over_time")) {
      assertSame(fn + "(power[1m])", start, end, 60_000, "10s", "0");
      assertSame(fn + "(power[5m])", start, end, 300_000, "1m", "0");
    }
  }

  /**
   * A subquery's selector has no range: the engine reads its last values, so the tier must decode them, not the
   * column the function around a range would read (that mismatch answered 500).
   */
  @Test
  void subqueriesOnTiersEqualRaw() throws Exception {
    long start = S + 3_660_000;
    long end = S + 7_140_000;
    for (String q : List.of("max_over_time(power[10m:1m])", "min_over_time(power[10m:1m])",
        "avg_over_time(power[10m:1m])", "rate(energy_total[5m:1m])", "max(max_over_time(power[10m:1m]))")) {
      assertSame(q, start, end, 60_000, "10s", "0");
    }
  }

  @Test
  void rateAndIncreaseOnTheCounterAggregateEqualRaw() throws Exception {
    long start = S + 3_660_000;
    long end = S + 7_140_000;
    assertSame("rate(energy_total[1m])", start, end, 60_000, "10s", "0");
    assertSame("increase(energy_total[5m])", start, end, 300_000, "1m", "0");
    assertSame("sum(rate(energy_total[2m]))", start, end, 120_000, "10s", "0");
  }

  /**
   * Instant selectors read each window's last value, and only the windows the steps read (the rest are thinned
   * out, as raw selections are): at steps on window boundaries that is the raw sample each step reads.
   */
  @Test
  void instantSelectorsOnTiersEqualRaw() throws Exception {
    long start = S + 3_660_000;
    long end = S + 7_140_000;
    for (String q : List.of("power", "sum(power)", "avg by (gpu) (power)", "power * 2", "max(-power)",
        "min(-power)")) {
      assertSame(q, start, end, 60_000, "10s", "0");
      assertSame(q, start, end, 300_000, "1m", "0");
      assertSame(q, start, end, 600_000, null, "0");
    }
  }

  /** Automatic resolution (step/5) reads the 10 s tier at a 60 s step and still equals raw. */
  @Test
  void automaticResolutionEqualsRaw() throws Exception {
    long start = S + 3_660_000;
    long end = S + 7_140_000;
    assertSame("max_over_time(power[1m])", start, end, 60_000, null, "0");
    assertSame("rate(energy_total[1m])", start, end, 60_000, null, "0");
  }

  /**
   * A subquery's selector is read at the subquery's steps: at a 20 m query step the resolution comes from its 10 s
   * steps, not from the outer step (which would pick the 5 m tier and lose the maxima).
   */
  @Test
  void automaticResolutionUnderASubqueryFollowsTheSubquerysStep() throws Exception {
    long start = S + 4_800_000;
    long end = S + 7_200_000;
    assertSame("max_over_time(power[10m:10s])", start, end, 1_200_000, null, "0");
  }

  /**
   * A step reads the same windows whichever step the query ends on. Steps 5 s into a window: when the query ended
   * at one, the samples of its window up to the end were once read again from raw data as a window of their own.
   */
  @Test
  void aStepOnATierAnswersTheSameWhereverTheQueryEnds() throws Exception {
    long start = S + 3_665_000;
    long longEnd = S + 7_145_000;
    for (String q : List.of("power", "max_over_time(power[1m])", "rate(energy_total[1m])")) {
      List<?> whole = matrix(q, start, longEnd, 60_000, "10s");
      for (int k = 1; k <= 3; k++) {
        List<?> shorter = matrix(q, start, longEnd - k * 600_000L, 60_000, "10s");
        assertThat(shorter).as(q + " ending " + k * 10 + " minutes earlier").isEqualTo(whole.subList(0,
            shorter.size()));
      }
    }
  }

  /** The start of the data is no longer raw: asking for raw falls back to the 10 s tier with a warning. */
  @Test
  void agedOutRawFallsBackToATier() throws Exception {
    long start = S + 600_000;
    long end = S + 2_700_000;
    List<?> fallback = matrix("max_over_time(power[1m])", start, end, 60_000, "0");
    List<?> tier = matrix("max_over_time(power[1m])", start, end, 60_000, "10s");
    assertThat(fallback).isEqualTo(tier).hasSize(36);
    ApiClient.Reply r = api.get("/api/v1/query_range", "query", "max_over_time(power[1m])", "start",
        PromFormat.timestamp(start), "end", PromFormat.timestamp(end), "step", "60", "max_source_resolution", "0");
    assertThat(r.warnings()).anyMatch(w -> w.contains("answered from the 10s tier"));
  }
}
