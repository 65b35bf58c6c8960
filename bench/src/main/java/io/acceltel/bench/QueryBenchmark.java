package io.acceltel.bench;

import io.acceltel.aggregator.query.StorageQueryable;
import io.acceltel.aggregator.storage.Storage;
import io.acceltel.aggregator.storage.StorageConfig;
import io.acceltel.aggregator.storage.block.FileUtil;
import io.acceltel.promql.engine.Engine;
import io.acceltel.promql.engine.QueryOptions;
import io.acceltel.promql.engine.QueryResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The dashboard queries evaluated in process (no HTTP, no JSON) over the last hour of 1 s data for
 * {@code gpus} GPUs, at a 15 s step: where query time goes inside the aggregator. End-to-end comparisons with
 * Prometheus and VictoriaMetrics are {@link QueryCompare}'s. Run:
 * {@code java -jar bench/target/benchmarks.jar QueryBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgs = {"-Xms8g", "-Xmx8g", "-XX:+AlwaysPreTouch"})
public class QueryBenchmark {
  /** Index into {@link DashboardDataset#QUERIES}. */
  @Param({"0", "1", "2", "3", "4"})
  public int query;

  @Param("1000")
  public int gpus;

  private Path dir;
  private Storage storage;
  private final Engine engine = new Engine();
  private String promql;
  private long end;

  @Setup(Level.Trial)
  public void load() throws Exception {
    dir = Files.createTempDirectory("acceltel-query-bench");
    storage = Storage.open(dir, StorageConfig.defaults());
    end = (System.currentTimeMillis() / 1000) * 1000;
    new DashboardDataset(gpus, 8).appendEverySecond(storage.appender(), end - 3_600_000, end, 60, t -> { });
    promql = DashboardDataset.QUERIES[query][1].replace("%r", "1m");
  }

  @Benchmark
  public QueryResult lastHourAt15sStep() {
    return engine.range(new StorageQueryable(storage.querier()), promql, end - 3_600_000, end, 15_000,
        QueryOptions.DEFAULT, () -> false);
  }

  /**
   * The last 5 minutes at a 15 s step: what a refresh of a cached dashboard evaluates anew (the result cache's
   * recent part) while the data keeps arriving.
   */
  @Benchmark
  public QueryResult last5MinutesAt15sStep() {
    return engine.range(new StorageQueryable(storage.querier()), promql, end - 300_000, end, 15_000,
        QueryOptions.DEFAULT, () -> false);
  }

  /** One instant at the end: what an alert rule's evaluation or a stat panel asks. */
  @Benchmark
  public QueryResult instantAtEnd() {
    return engine.instant(new StorageQueryable(storage.querier()), promql, end, QueryOptions.DEFAULT, () -> false);
  }

  /**
   * All five queries in turn, as a server answers them: its JIT compiles one copy of the engine for every query
   * shape, where {@link #lastHourAt15sStep} compiles it for one. Compare with the sum of the five single scores.
   */
  @Benchmark
  public void allFiveInTurn(org.openjdk.jmh.infra.Blackhole bh) {
    StorageQueryable data = new StorageQueryable(storage.querier());
    for (String[] q : DashboardDataset.QUERIES) {
      bh.consume(engine.range(data, q[1].replace("%r", "1m"), end - 3_600_000, end, 15_000, QueryOptions.DEFAULT,
          () -> false));
    }
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    storage.close();
    FileUtil.deleteRecursively(dir);
  }
}
