package io.acceltel.bench;

import io.acceltel.exporter.exposition.NativeNameView;
import io.acceltel.exporter.http.DirectTextFormatWriter;
import io.prometheus.metrics.config.ExporterProperties;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Serializing one tick's device families, as the exporter does once per tick and format: 8 GPUs read through the
 * real JNA binding from the NVML C double, attributed as in {@link AttributionBenchmark} (13 labels per series),
 * rendered in the native view (about 630 series), then written by client_java's writer or by
 * {@link DirectTextFormatWriter}, in the text format ({@code text}) and in OpenMetrics, which Prometheus asks for
 * ({@code openmetrics}): as a whole exposition ({@code write}), and as the exporter pre-renders it each tick, the
 * bytes a scrape's own families follow ({@code leadingPart}).
 *
 * <pre>{@code
 * java -jar bench/target/benchmarks.jar ExpositionBenchmark
 * # with the exporter's JIT and collector (the launcher's flags):
 * java -jar bench/target/benchmarks.jar ExpositionBenchmark -jvmArgsAppend "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
 * }</pre>
 */
public class ExpositionBenchmark extends MicrosecondBenchmark {
  @Param({"text", "openmetrics"})
  public String format;

  @Param({"client_java", "direct"})
  public String writer;

  private MetricSnapshots families;
  private ExpositionFormatWriter chosen;

  @Setup(Level.Trial)
  public void render() throws Exception {
    families = new NativeNameView().render(AttributionBenchmark.attributedTick());
    ExporterProperties properties = ExporterProperties.builder().build();
    ExpositionFormats formats = ExpositionFormats.init(properties);
    ExpositionFormatWriter clientJava = format.equals("text")
        ? formats.getPrometheusTextFormatWriter() : formats.getOpenMetricsTextFormatWriter();
    chosen = writer.equals("direct") ? DirectTextFormatWriter.replacing(clientJava, properties) : clientJava;
  }

  @Benchmark
  public int write() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128 * 1024);
    chosen.write(out, families);
    return out.size();
  }

  /** What the exporter does each tick: the device families as bytes that the per-scrape part follows. */
  @Benchmark
  public byte[] leadingPart() throws IOException {
    return DirectTextFormatWriter.leadingPart(chosen, families);
  }
}
