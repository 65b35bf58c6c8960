package io.acceltel.bench;

import io.acceltel.exporter.exposition.MetricNameView;
import io.acceltel.exporter.exposition.MetricNameViews;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
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
 * Turning one tick into the /metrics families, as the exporter does once per tick: 8 attributed GPUs read
 * through the real JNA binding from the NVML C double (as {@link AttributionBenchmark}), rendered by a name view.
 * Consecutive ticks of a node carry the same devices and label sets, so one tick rendered again and again is what
 * the view sees at 1 Hz.
 *
 * <pre>{@code
 * java -jar bench/target/benchmarks.jar RenderBenchmark
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RenderBenchmark {
  @Param({"native", "dcgm"})
  public String view;

  private NodeSnapshot tick;
  private MetricNameView nameView;

  @Setup(Level.Trial)
  public void collect() throws Exception {
    tick = AttributionBenchmark.attributedTick();
    nameView = MetricNameViews.discover().byName(view).orElseThrow();
  }

  @Benchmark
  public MetricSnapshots render() {
    return nameView.render(tick);
  }
}
