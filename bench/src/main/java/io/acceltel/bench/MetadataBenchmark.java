package io.acceltel.bench;

import io.acceltel.aggregator.storage.Storage;
import io.acceltel.aggregator.storage.StorageConfig;
import io.acceltel.aggregator.storage.block.FileUtil;
import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.series.Labels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
 * The metadata reads behind Grafana's label browser and dashboard variables ({@code /api/v1/labels},
 * {@code /api/v1/label/<name>/values}, {@code /api/v1/series}), over storage with both head and on-disk blocks:
 * 6 hours of the dashboard dataset at 1 s, checkpointed every hour so that 2-hour blocks are cut.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar MetadataBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgs = {"-Xms6g", "-Xmx6g", "-XX:+AlwaysPreTouch"})
public class MetadataBenchmark {
  @Param("250")
  public int gpus;

  private Path dir;
  private Storage storage;
  private long end;

  @Setup(Level.Trial)
  public void load() throws Exception {
    dir = Files.createTempDirectory("acceltel-metadata-bench");
    storage = Storage.open(dir, StorageConfig.defaults());
    end = (System.currentTimeMillis() / 1000) * 1000;
    long start = end - 6 * 3_600_000L;
    long[] nextCheckpoint = {start + 3_600_000L};
    new DashboardDataset(gpus, 8).appendEverySecond(storage.appender(), start, end, 60, t -> {
      if (t >= nextCheckpoint[0]) {
        checkpoint();
        nextCheckpoint[0] += 3_600_000L;
      }
    });
    checkpoint();
  }

  private void checkpoint() {
    try {
      storage.checkpoint(Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A dashboard variable over all time: {@code label_values(gpu)} with no range, as older Grafanas ask it. */
  @Benchmark
  public List<String> gpuValuesAllTime() {
    return storage.querier().labelValues("gpu", List.of(), Long.MIN_VALUE, Long.MAX_VALUE);
  }

  /** The label browser's names for the dashboard's range: the last 6 hours. */
  @Benchmark
  public List<String> labelNamesLast6Hours() {
    return storage.querier().labelNames(List.of(), end - 6 * 3_600_000L, end);
  }

  /** {@code /api/v1/series?match[]=accelerator_power_watts} over the last hour. */
  @Benchmark
  public List<Labels> powerSeriesLastHour() {
    return storage.querier().series(List.of(LabelMatcher.equal("__name__", "accelerator_power_watts")),
        end - 3_600_000L, end);
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    storage.close();
    FileUtil.deleteRecursively(dir);
  }
}
