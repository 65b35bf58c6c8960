package io.acceltel.bench;

import io.acceltel.aggregator.storage.StorageConfig;
import io.acceltel.aggregator.storage.head.Head;
import io.acceltel.model.series.Labels;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What removing stopped series costs the checkpoint that does it: a head of {@code series} exporter-shaped series
 * (pod-labelled, 2,500 GPUs of 200 series each by default), of which one job's quarter stopped and holds nothing in
 * the head any more, is rebuilt without them (refs renumbered, postings and symbols rebuilt). Queries wait only for
 * the final swap. Run: {@code java -jar bench/target/benchmarks.jar SeriesRemovalBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 8)
@Fork(value = 1, jvmArgs = {"-Xms6g", "-Xmx6g"})
public class SeriesRemovalBenchmark {
  @Param({"500000"})
  int series;

  private Head head;

  @Setup(Level.Iteration)
  public void fillHead() {
    head = new Head(StorageConfig.defaults());
    for (int i = 0; i < series; i++) {
      int gpu = i / 200;
      boolean stopped = gpu % 4 == 0;
      Labels labels = Labels.of("__name__", "accelerator_metric_" + (i % 200), "node", "node-" + (gpu / 8),
          "device", Integer.toString(gpu % 8), "uuid", "GPU-" + Integer.toHexString(0x100000 + gpu),
          "model", "NVIDIA H100 80GB HBM3", "namespace", "team-" + (gpu % 7),
          "pod", (stopped ? "finished-" : "train-") + (gpu / 8) + "-worker", "container", "trainer",
          "job_name", (stopped ? "finished-" : "train-") + (gpu % 13));
      int ref = head.ref(labels);
      if (!stopped) {
        head.append(ref, 1_700_000_000_000L, i);
      }
    }
  }

  @Benchmark
  public int removeStoppedSeries() {
    return head.removeStoppedSeries();
  }
}
