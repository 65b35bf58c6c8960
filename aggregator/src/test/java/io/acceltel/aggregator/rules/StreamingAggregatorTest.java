package io.acceltel.aggregator.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.acceltel.aggregator.ingest.IngestStats;
import io.acceltel.aggregator.ingest.SampleBatch;
import io.acceltel.aggregator.ingest.SampleWriter;
import io.acceltel.aggregator.storage.RawSeries;
import io.acceltel.aggregator.storage.Storage;
import io.acceltel.aggregator.storage.StorageConfig;
import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.series.Labels;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Rules computed at ingest equal the same aggregation computed from the raw samples. */
class StreamingAggregatorTest {
  private static final long T0 = 1_795_349_040_000L;
  /** The tests' timestamps are fixed: a wall clock before them would hold every window back. */
  private static final java.util.function.LongSupplier NO_WALL_CLOCK_CAP = () -> Long.MAX_VALUE;
  /** A rule with 10 s windows, for the limits that depend on the interval. */
  private static final AggregationRule TEN_SECONDS = new AggregationRule("x", "accelerator_power_watts",
      AggregationRule.Op.SUM, List.of(), Duration.ofSeconds(10));

  /** An output that records each window as "<end>s <value>", a staleness marker as "<end>s stale". */
  private static StreamingAggregator.Output endsAndValues(List<String> emitted) {
    return (labels, t, v) -> emitted.add((t - T0) / 1000 + "s " + stale(v));
  }

  /** One rule over accelerator_power_watts by job_name, 10 s windows, recorded as job:power:<op>10s. */
  private static StreamingAggregator perJob(AggregationRule.Op op, java.util.function.LongSupplier wallClock) {
    return new StreamingAggregator(List.of(new AggregationRule(
        "job:power:" + op.name().toLowerCase(java.util.Locale.ROOT) + "10s", "accelerator_power_watts", op,
        List.of("job_name"), Duration.ofSeconds(10))), wallClock);
  }

  /**
   * A per-job sum over two GPUs of job a (refs 0 and 1, each on its own stream in the tests that use streams), with
   * a wall clock the test moves and the windows emitted as "<end>s <value>".
   */
  private static final class TwoNodes {
    final java.util.concurrent.atomic.AtomicLong wall = new java.util.concurrent.atomic.AtomicLong(T0 + 3_600_000);
    final StreamingAggregator aggregator = perJob(AggregationRule.Op.SUM, wall::get);
    final List<String> emitted = new java.util.ArrayList<>();
    final StreamingAggregator.Output out = (labels, t, v) -> emitted.add((t - T0) / 1000 + "s " + v);
    final int p0;
    final int p1;

    TwoNodes() {
      aggregator.bind(0, gpu("a", 0));
      aggregator.bind(1, gpu("a", 1));
      p0 = aggregator.stream(0);
      p1 = aggregator.stream(1);
    }

    /** A sample of GPU {@code ref} on stream {@code stream}; how many of its windows were already written. */
    int feed(int ref, long t, double v, int stream) {
      return aggregator.add(ref, t, v, stream, out);
    }
  }

  private static Labels gpu(String job, int device) {
    return Labels.of("__name__", "accelerator_power_watts", "job_name", job, "device", Integer.toString(device));
  }

  /** Watts of a GPU at second s: distinct per device so sums and means are checkable. */
  private static double watts(int device, int s) {
    return 100 * (device + 1) + s;
  }

  /** Both writers: one stripe, and striped over the storage's lanes as the aggregator runs it. */
  @ParameterizedTest(name = "striped={0}")
  @ValueSource(booleans = {false, true})
  void windowsPerGroupEqualTheRawComputation(boolean striped, @TempDir Path dir) throws Exception {
    List<AggregationRule> rules = List.of(
        new AggregationRule("job:power:sum10s", "accelerator_power_watts", AggregationRule.Op.SUM,
            List.of("job_name"), Duration.ofSeconds(10)),
        new AggregationRule("job:power:avg10s", "accelerator_power_watts", AggregationRule.Op.AVG,
            List.of("job_name"), Duration.ofSeconds(10)),
        new AggregationRule("job:power:max10s", "accelerator_power_watts", AggregationRule.Op.MAX,
            List.of("job_name"), Duration.ofSeconds(10)),
        new AggregationRule("job:power:count10s", "accelerator_power_watts", AggregationRule.Op.COUNT,
            List.of("job_name"), Duration.ofSeconds(10)));
    try (Storage storage = Storage.open(dir, StorageConfig.defaults())) {
      IngestStats stats = new IngestStats(new PrometheusRegistry());
      StreamingAggregator aggregations = new StreamingAggregator(rules, NO_WALL_CLOCK_CAP);
      SampleWriter writer = striped ? new SampleWriter(storage, stats, aggregations)
          : new SampleWriter(storage, 1, stats, aggregations);
      SampleBatch batch = new SampleBatch();
      // 3 GPUs of job a, 1 of job b, 45 seconds. A window closes once samples a full interval past its end have
      // arrived: [0,10) [10,20) [20,30) close; [30,40) stays open.
      for (int s = 0; s < 45; s++) {
        int second = s;
        writer.write("test", batch, b -> {
          for (int d = 0; d < 4; d++) {
            int ref = writer.resolver().ref(gpu(d < 3 ? "a" : "b", d));
            b.append(ref, T0 + second * 1000L, watts(d, second));
          }
        });
      }
      List<RawSeries> sum = storage.querier().selectRaw(List.of(LabelMatcher.equal("__name__", "job:power:sum10s"),
          LabelMatcher.equal("job_name", "a")), Long.MIN_VALUE, Long.MAX_VALUE);
      assertThat(sum).hasSize(1);
      assertThat(sum.get(0).timestamps()).containsExactly(T0 + 10_000, T0 + 20_000, T0 + 30_000);
      // Window [0,10): each GPU's mean is 100(d+1) + 4.5; the job's sum adds the three means.
      assertThat(sum.get(0).values()[0]).isEqualTo((100 + 4.5) + (200 + 4.5) + (300 + 4.5));
      double[] avg = value(storage, "job:power:avg10s", "a");
      assertThat(avg[1]).isEqualTo(((100 + 14.5) + (200 + 14.5) + (300 + 14.5)) / 3);
      assertThat(value(storage, "job:power:max10s", "a")[2]).isEqualTo(300 + 29);
      assertThat(value(storage, "job:power:count10s", "b")[0]).isEqualTo(1);
      assertThat(value(storage, "job:power:max10s", "b")).hasSize(3);
    }
  }

  private static double[] value(Storage storage, String record, String job) {
    return storage.querier().selectRaw(List.of(LabelMatcher.equal("__name__", record),
        LabelMatcher.equal("job_name", job)), Long.MIN_VALUE, Long.MAX_VALUE).get(0).values();
  }

  /**
   * After a restart the partitions replay at different speeds, and a job's nodes hash to several of them: a window
   * waits for the slowest partition still feeding the rule, so it is written from every node's samples.
   */
  @Test
  void aWindowWaitsForTheSlowestStream() {
    TwoNodes f = new TwoNodes();
    assertThat(f.feed(1, T0, 10, f.p1)).isZero();
    for (int s = 0; s <= 30; s++) {
      assertThat(f.feed(0, T0 + s * 1000L, 1, f.p0)).isZero(); // partition 0 replays ahead
    }
    assertThat(f.emitted).as("partition 1 is still at 0s").isEmpty();
    assertThat(f.feed(1, T0 + 5_000, 20, f.p1)).as("not late: its window is still open").isZero();
    assertThat(f.feed(1, T0 + 20_000, 30, f.p1)).isZero();
    // [0,10): partition 0's mean 1 plus partition 1's mean (10 + 20) / 2.
    assertThat(f.emitted).containsExactly("10s 16.0");

    // Partition 1's nodes stop: once partition 0 has fed the rule for the idle time without it, it no longer
    // holds windows back.
    long idle = StreamingAggregator.idleMillis(TEN_SECONDS);
    for (long s = 31; s <= 31 + idle / 1000 + 1; s++) {
      f.wall.addAndGet(1000);
      f.feed(0, T0 + s * 1000L, 1, f.p0);
    }
    assertThat(f.emitted).as("windows close on partition 0 alone").startsWith("10s 16.0", "20s 1.0");
  }

  /**
   * Kafka unreachable for minutes: every partition went quiet together, so none is idle for it, and the first one
   * back does not close windows before the others' samples of them arrive.
   */
  @Test
  void aPauseOfTheWholeIngestIdlesNoStream() {
    TwoNodes f = new TwoNodes();
    f.feed(0, T0, 1, f.p0);
    f.feed(1, T0, 10, f.p1);
    f.wall.addAndGet(300_000); // five minutes without a record
    for (int s = 1; s <= 25; s++) {
      f.wall.addAndGet(100);
      assertThat(f.feed(0, T0 + s * 1000L, 1, f.p0)).isZero(); // partition 0 comes back first
    }
    assertThat(f.emitted).as("partition 1 still holds [0,10)").isEmpty();
    assertThat(f.feed(1, T0 + 5_000, 10, f.p1)).as("not late").isZero();
    f.feed(1, T0 + 25_000, 10, f.p1);
    assertThat(f.emitted).startsWith("10s 11.0");
  }

  /**
   * When the storage removes a stopped series and renumbers the rest, an open window keeps the removed series'
   * part apart from the series that now has its old ref, and the renumbered ones keep feeding their own groups.
   */
  @Test
  void renumberingKeepsOpenWindowsExact() {
    StreamingAggregator aggregator = new StreamingAggregator(List.of(
        new AggregationRule("job:power:count10s", "accelerator_power_watts", AggregationRule.Op.COUNT,
            List.of("job_name"), Duration.ofSeconds(10)),
        new AggregationRule("job:power:sum10s", "accelerator_power_watts", AggregationRule.Op.SUM,
            List.of("job_name"), Duration.ofSeconds(10))), NO_WALL_CLOCK_CAP);
    List<String> emitted = new java.util.ArrayList<>();
    StreamingAggregator.Output out = (labels, t, v) -> emitted.add(labels.get("__name__") + " "
        + labels.get("job_name") + " " + v);
    aggregator.bind(0, gpu("a", 0));
    aggregator.bind(1, gpu("a", 1));
    aggregator.bind(2, gpu("b", 2));
    aggregator.add(0, T0, 1, out);
    aggregator.add(1, T0, 10, out);
    aggregator.add(2, T0, 100, out);
    // Ref 0 is removed: 1 becomes 0 and 2 becomes 1. A new series of job a then takes ref 2.
    aggregator.renumbered(new int[] {-1, 0, 1});
    aggregator.bind(2, gpu("a", 3));
    aggregator.add(0, T0 + 1000, 20, out);
    aggregator.add(2, T0 + 1000, 1000, out);
    aggregator.add(1, T0 + 1000, 200, out);
    aggregator.add(1, T0 + 20_000, 300, out); // a full interval past the window: it closes, for both jobs
    aggregator.add(0, T0 + 20_000, 30, out);
    assertThat(emitted).containsExactlyInAnyOrder("job:power:count10s a 3.0", "job:power:sum10s a 1016.0",
        "job:power:count10s b 1.0", "job:power:sum10s b 150.0");
  }

  /**
   * A sample behind the others by more than an interval finds its window emitted: it is counted as late, not used
   * to open the window again (whose second emission the storage would drop without a trace).
   */
  @Test
  void aSampleAfterItsWindowWasEmittedIsCountedLateNotEmittedTwice() {
    StreamingAggregator aggregator = perJob(AggregationRule.Op.COUNT, NO_WALL_CLOCK_CAP);
    List<String> emitted = new java.util.ArrayList<>();
    StreamingAggregator.Output out = endsAndValues(emitted);
    aggregator.bind(0, gpu("a", 0));
    aggregator.bind(1, gpu("a", 1));
    assertThat(aggregator.add(0, T0, 1, out)).isZero();
    assertThat(aggregator.add(0, T0 + 25_000, 1, out)).isZero();
    assertThat(emitted).containsExactly("10s 1.0");
    assertThat(aggregator.add(1, T0 + 1000, 1, out)).as("window [0,10) was emitted").isEqualTo(1);
    assertThat(aggregator.add(1, T0 + 25_000, 1, out)).isZero();
    assertThat(aggregator.add(0, T0 + 45_000, 1, out)).isZero();
    assertThat(emitted).as("[10,20) had no sample, but its inputs live on: no end").containsExactly("10s 1.0",
        "30s 2.0");
  }

  /**
   * Inputs sampled less often than the rule's interval (remote_write scraped every 25 s into 10 s windows) leave
   * windows empty: the output has gaps, which PromQL's lookback bridges, and is never ended while they live.
   */
  @Test
  void emptyWindowsOfLiveInputsEndNothing() {
    StreamingAggregator aggregator = perJob(AggregationRule.Op.SUM, NO_WALL_CLOCK_CAP);
    List<String> emitted = new java.util.ArrayList<>();
    StreamingAggregator.Output out = endsAndValues(emitted);
    aggregator.bind(0, gpu("a", 0));
    for (long t = 0; t <= 100_000; t += 25_000) {
      aggregator.add(0, T0 + t, 300, out);
    }
    assertThat(emitted).containsExactly("10s 300.0", "30s 300.0", "60s 300.0", "80s 300.0");
  }

  private static String stale(double v) {
    return Double.doubleToRawLongBits(v) == 0x7ff0000000000002L ? "stale" : Double.toString(v);
  }

  /**
   * A job's pods are gone (or its GPUs now belong to another job): the exporter marks their series stale, and the
   * job's output series ends with one staleness marker at the end of its first empty window, as a Prometheus
   * recording rule's would, so a per-job or per-tenant sum does not keep the old group's last value for the lookback
   * beside the new one's. It starts again with data.
   */
  @Test
  void aGroupWhoseInputsEndedEndsItsOutputWithOneStalenessMarker() {
    StreamingAggregator aggregator = perJob(AggregationRule.Op.SUM, NO_WALL_CLOCK_CAP);
    List<String> emitted = jobAEndsAt20s(aggregator, false);
    assertThat(emitted).filteredOn(e -> e.startsWith("a@")).containsExactly("a@10 300.0", "a@20 300.0", "a@30 stale");
    assertThat(emitted).filteredOn(e -> e.startsWith("b@")).as("up to a full interval behind the newest sample")
        .containsExactly("b@10 200.0", "b@20 200.0", "b@30 200.0", "b@40 200.0");

    StreamingAggregator.Output out = outputTo(emitted);
    for (long t = 60_000; t < 90_000; t += 1000) {
      aggregator.add(0, T0 + t, 310, out);
      aggregator.add(1, T0 + t, 200, out);
    }
    assertThat(emitted).filteredOn(e -> e.startsWith("a@")).as("back, and marked no more than once")
        .containsExactly("a@10 300.0", "a@20 300.0", "a@30 stale", "a@70 310.0");
  }

  /**
   * An ingest cache that misses a series resolves it again (after every renumbering, on each remote_write thread):
   * binding it again must not count it live twice, or its group never gets its end marker.
   */
  @Test
  void aSeriesResolvedAgainStillEndsItsGroup() {
    List<String> emitted = jobAEndsAt20s(perJob(AggregationRule.Op.SUM, NO_WALL_CLOCK_CAP), true);
    assertThat(emitted).filteredOn(e -> e.startsWith("a@")).containsExactly("a@10 300.0", "a@20 300.0", "a@30 stale");
  }

  /**
   * Jobs a (300 W) and b (200 W) for 20 s; then job a's series is marked stale and b goes on to 60 s. With
   * {@code resolveAgain}, a's series is bound again before each of its samples, as an ingest cache that misses it
   * does. Returns what was emitted, as "job@seconds value".
   */
  private static List<String> jobAEndsAt20s(StreamingAggregator aggregator, boolean resolveAgain) {
    List<String> emitted = new java.util.ArrayList<>();
    StreamingAggregator.Output out = outputTo(emitted);
    aggregator.bind(0, gpu("a", 0));
    aggregator.bind(1, gpu("b", 1));
    for (long t = 0; t < 20_000; t += 1000) {
      if (resolveAgain) {
        aggregator.bind(0, gpu("a", 0));
      }
      aggregator.add(0, T0 + t, 300, out);
      aggregator.add(1, T0 + t, 200, out);
    }
    aggregator.add(0, T0 + 20_000, Double.longBitsToDouble(0x7ff0000000000002L), out); // job a's pod is gone
    for (long t = 20_000; t < 60_000; t += 1000) {
      aggregator.add(1, T0 + t, 200, out);
    }
    return emitted;
  }

  private static StreamingAggregator.Output outputTo(List<String> emitted) {
    return (labels, t, v) -> emitted.add(labels.get("job_name") + "@" + (t - T0) / 1000 + " " + stale(v));
  }

  /** A group behind another (its nodes on a partition catching up) is not late: its own windows were not written. */
  @Test
  void aGroupBehindAnotherIsNotLate() {
    StreamingAggregator aggregator = perJob(AggregationRule.Op.COUNT, NO_WALL_CLOCK_CAP);
    List<String> emitted = new java.util.ArrayList<>();
    StreamingAggregator.Output out = (labels, t, v) -> emitted.add(labels.get("job_name") + "@" + (t - T0));
    aggregator.bind(0, gpu("a", 0));
    aggregator.bind(1, gpu("b", 1));
    aggregator.add(0, T0, 1, out);
    aggregator.add(0, T0 + 40_000, 1, out); // job a is 40 s ahead
    assertThat(aggregator.add(1, T0 + 1000, 1, out)).as("job b's first window was never written").isZero();
    aggregator.add(0, T0 + 50_000, 1, out);
    assertThat(emitted).contains("a@10000", "b@10000");
  }

  /**
   * After a restart one partition's records can come minutes before the next partition's first one: announced
   * partitions hold windows back before their first sample too.
   */
  @Test
  void anAnnouncedStreamHoldsWindowsBackBeforeItsFirstSample() {
    TwoNodes f = new TwoNodes();
    f.aggregator.expect(0);
    f.aggregator.expect(1);
    for (int s = 0; s <= 60; s++) {
      f.feed(0, T0 + s * 1000L, 1, f.p0);
    }
    assertThat(f.emitted).as("partition 1 has not been heard from yet").isEmpty();
    assertThat(f.feed(1, T0 + 5_000, 10, f.p1)).isZero();
    f.feed(1, T0 + 20_000, 10, f.p1);
    assertThat(f.emitted).containsExactly("10s 11.0");
  }

  /** A partition far behind (its nodes' clocks hours off) stops holding every job's windows: its samples are late. */
  @Test
  void aStreamTooFarBehindNoLongerHoldsWindowsBack() {
    java.util.concurrent.atomic.AtomicLong wall = new java.util.concurrent.atomic.AtomicLong(T0 + 7_200_000);
    StreamingAggregator aggregator = perJob(AggregationRule.Op.SUM, wall::get);
    List<Long> emitted = new java.util.ArrayList<>();
    StreamingAggregator.Output out = (labels, t, v) -> emitted.add(t);
    aggregator.bind(0, gpu("a", 0));
    aggregator.bind(1, gpu("b", 1));
    aggregator.add(1, T0, 1, aggregator.stream(1), out);
    long far = T0 + StreamingAggregator.maxLagMillis(TEN_SECONDS) + 60_000;
    aggregator.add(0, far, 1, aggregator.stream(0), out);
    assertThat(emitted).as("the windows of partition 1's group closed without waiting for it").contains(T0 + 10_000);
  }

  /** A node whose clock runs ahead does not close the other nodes' windows before their samples arrive. */
  @Test
  void aNodeAheadOfTheWallClockDoesNotCloseTheOthersWindows() {
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(T0 + 12_000);
    StreamingAggregator aggregator = perJob(AggregationRule.Op.COUNT, now::get);
    List<Double> counts = new java.util.ArrayList<>();
    StreamingAggregator.Output out = (labels, t, v) -> counts.add(v);
    aggregator.bind(0, gpu("a", 0));
    aggregator.bind(1, gpu("a", 1));
    aggregator.add(0, T0 + 1000, 1, out);
    aggregator.add(0, T0 + 25_000, 1, out); // node 0's clock runs 13 s ahead
    assertThat(aggregator.add(1, T0 + 5000, 1, out)).as("node 1, on time, is not late").isZero();
    now.set(T0 + 21_000);
    aggregator.add(1, T0 + 21_000, 1, out);
    assertThat(counts).as("window [0,10) with both nodes").containsExactly(2.0);
  }

  /** A group no series feeds any more (its job ended) is dropped once its windows are out. */
  @Test
  void aGroupThatNoSeriesFeedsIsDroppedAtTheNextRenumbering() {
    StreamingAggregator aggregator = perJob(AggregationRule.Op.COUNT, NO_WALL_CLOCK_CAP);
    StreamingAggregator.Output out = (labels, t, v) -> { };
    aggregator.bind(0, gpu("ended", 0));
    aggregator.bind(1, gpu("running", 1));
    aggregator.add(0, T0, 1, out);
    aggregator.add(1, T0, 1, out);
    aggregator.add(1, T0 + 25_000, 1, out); // the first window of both groups is out
    assertThat(aggregator.groups()).isEqualTo(2);
    aggregator.renumbered(new int[] {-1, 0}); // the ended job's series is removed
    assertThat(aggregator.groups()).as("only the running job's group").isEqualTo(1);
  }

  @Test
  void loadsRulesFromYamlAndNamesWhatIsWrong(@TempDir Path dir) throws Exception {
    Path ok = dir.resolve("rules.yaml");
    Files.writeString(ok, "aggregation_rules:\n  - record: job:u:avg\n    metric: accelerator_utilization_ratio\n"
        + "    op: avg\n    by: [namespace, job_name]\n    interval: 1m\n");
    assertThat(AggregationRules.load(ok)).containsExactly(new AggregationRule("job:u:avg",
        "accelerator_utilization_ratio", AggregationRule.Op.AVG, List.of("namespace", "job_name"),
        Duration.ofMinutes(1)));
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "aggregation_rules:\n  - record: x\n    metric: m\n    op: median\n");
    assertThatThrownBy(() -> AggregationRules.load(bad))
        .hasMessageContaining("bad.yaml: aggregation_rules[0]: unknown aggregation 'median'");
    String rule = "  - record: job:u:avg\n    metric: accelerator_utilization_ratio\n    op: avg\n";
    assertThat(refusal(dir, rule + "    by: namespace\n"))
        .contains("aggregation_rules[0]: 'by' must be a list of label names");
    assertThat(refusal(dir, rule + "    by: [namespace]\n    intreval: 1m\n"))
        .contains("aggregation_rules[0]: unknown key 'intreval'; allowed keys are [record, metric, op, by, interval]");
    assertThat(refusal(dir, rule + "    by: [namespace, job_name]\n" + rule + "    by: [job_name, namespace]\n"))
        .contains("aggregation_rules[1]: record job:u:avg is already written by aggregation_rules[0]");
    assertThat(refusal(dir, "  - record: m\n    metric: m\n    op: sum\n"))
        .contains("record 'm' is its own input metric");
    // Rules read ingested samples only: one reading another's output would never write anything.
    assertThat(refusal(dir, rule + "    by: [namespace]\n  - record: cluster:u:avg\n    metric: job:u:avg\n"
        + "    op: avg\n")).contains("aggregation_rules[1] reads job:u:avg, which aggregation_rules[0] writes");
    assertThat(refusal(dir, "  - record: job:e:sum\n    metric: accelerator_energy_joules_total\n    op: sum\n"
        + "    by: [job_name]\n")).contains("metric accelerator_energy_joules_total is a counter")
        .contains("sum by (job_name) (rate(accelerator_energy_joules_total[5m]))");
    Path counting = dir.resolve("counting.yaml");
    Files.writeString(counting, "aggregation_rules:\n  - record: job:e:count\n"
        + "    metric: accelerator_energy_joules_total\n    op: count\n    by: [job_name]\n");
    assertThat(AggregationRules.load(counting)).as("counting a counter's series is fine").hasSize(1);
    // Other grouping labels still collide for every input without them: {__name__="job:u:avg"} twice.
    assertThat(refusal(dir, rule + "    by: [namespace]\n" + rule + "    by: []\n"))
        .contains("record job:u:avg is already written");
    // A second block would silently replace the first, and a key twice would keep its last value.
    assertThat(refusal(dir, rule + "    by: [namespace]\naggregation_rules:\n" + rule.replace("job:u:avg", "b")
        + "    by: [namespace]\n")).contains("refused.yaml is not valid YAML: Duplicate field 'aggregation_rules'");
    assertThat(refusal(dir, rule + "    by: [namespace]\n    op: max\n")).contains("Duplicate field 'op'");
    assertThat(refusal(dir, rule + "    by: [namespace]\n---\naggregation_rules: []\n"))
        .contains("refused.yaml holds more than one YAML document");
    Path trailing = dir.resolve("trailing.yaml");
    Files.writeString(trailing, "aggregation_rules:\n" + rule + "    by: [namespace]\n---\n");
    assertThat(AggregationRules.load(trailing)).as("an empty trailing document is fine").hasSize(1);
  }

  private static String refusal(Path dir, String rules) throws IOException {
    Path file = dir.resolve("refused.yaml");
    Files.writeString(file, "aggregation_rules:\n" + rules);
    return catchThrowableOfType(() -> AggregationRules.load(file),
        IllegalArgumentException.class).getMessage();
  }
}
