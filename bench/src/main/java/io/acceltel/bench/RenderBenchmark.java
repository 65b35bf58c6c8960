package io.acceltel.bench;

import io.acceltel.exporter.exposition.MetricNameView;
import io.acceltel.exporter.exposition.MetricNameViews;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

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
public class RenderBenchmark extends MicrosecondBenchmark {
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
