package io.acceltel.bench;

import io.acceltel.aggregator.ingest.IngestStats;
import io.acceltel.aggregator.ingest.OtlpMetricsDecoder;
import io.acceltel.aggregator.ingest.SampleBatch;
import io.acceltel.aggregator.ingest.SampleWriter;
import io.acceltel.aggregator.rules.StreamingAggregator;
import io.acceltel.aggregator.storage.Storage;
import io.acceltel.aggregator.storage.StorageConfig;
import io.acceltel.aggregator.storage.block.FileUtil;
import io.acceltel.exporter.collect.CollectionLoop;
import io.acceltel.exporter.device.BackendContext.SimulatedSettings;
import io.acceltel.exporter.simulated.SimulatedBackend;
import io.acceltel.model.otlp.OtlpEncoder;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The aggregator's ingest hot path: decode one exporter tick (an OTLP request from the Kafka topic, as the exporter
 * encodes it) and append its samples to storage. The data is what 1,000 simulated H100s (125 nodes x 8) emit,
 * pre-encoded, replayed tick after tick with advancing timestamps. The {@code samples} counter gives samples/s.
 *
 * <pre>{@code
 * java -jar bench/target/benchmarks.jar IngestBenchmark -t 1
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
public class IngestBenchmark {
  private static final int NODES = 125;
  private static final int GPUS_PER_NODE = 8;
  private static final int TICKS = 8;

  private Path dir;
  private Storage storage;
  private SampleWriter writer;
  private OtlpMetricsDecoder decoder;
  private final SampleBatch batch = new SampleBatch();
  /** Payloads by tick, then node: replayed in time order. */
  private final List<byte[]> payloads = new ArrayList<>();
  /** Where each payload holds its points' time_unix_nano, so replays can move them forward in time. */
  private final List<int[]> timeOffsets = new ArrayList<>();
  private final List<Long> tickNanos = new ArrayList<>();
  private int next;
  private long shiftNanos;

  /** Samples appended, reported per second by JMH. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Samples {
    public long samples;
  }

  @Setup(Level.Trial)
  public void prepare() throws IOException {
    long t0 = 1_795_349_049_000L;
    List<List<byte[]>> byNode = new ArrayList<>();
    OtlpEncoder encoder = new OtlpEncoder("bench");
    for (int n = 0; n < NODES; n++) {
      List<byte[]> ticks = new ArrayList<>();
      try (SimulatedBackend backend = new SimulatedBackend(new SimulatedSettings(GPUS_PER_NODE,
          "NVIDIA H100 80GB HBM3", n));
          CollectionLoop loop = CollectionLoop.builder("node-" + n, backend.devices()).build()) {
        for (int t = 0; t < TICKS; t++) {
          ticks.add(encoder.encode(loop.tick(t0 + t * 1000L)));
        }
      }
      byNode.add(ticks);
    }
    for (int t = 0; t < TICKS; t++) {
      long nanos = (t0 + t * 1000L) * 1_000_000L;
      for (List<byte[]> node : byNode) {
        payloads.add(node.get(t));
        timeOffsets.add(offsetsOf(node.get(t), nanos));
        tickNanos.add(nanos);
      }
    }
    dir = Files.createTempDirectory("acceltel-ingest-bench");
    storage = Storage.open(dir, StorageConfig.defaults());
    // The aggregator's own writer (series striped over lanes), on one thread: its grouping pass is part of the cost.
    writer = new SampleWriter(storage, new IngestStats(new PrometheusRegistry()), new StreamingAggregator(List.of()));
    // Replays run ahead of the wall clock; the decoder's future bound is widened so they are not refused.
    decoder = new OtlpMetricsDecoder(writer.resolver(), Long.MAX_VALUE / 4, 1 << 22);
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    storage.close();
    FileUtil.deleteRecursively(dir);
  }

  /** Decodes and appends one node's tick. */
  /** Offsets of the little-endian fixed64 {@code nanos} in the payload (the points' time_unix_nano). */
  private static int[] offsetsOf(byte[] payload, long nanos) {
    List<Integer> found = new ArrayList<>();
    for (int i = 0; i + 8 <= payload.length; i++) {
      if (readLong(payload, i) == nanos) {
        found.add(i);
      }
    }
    return found.stream().mapToInt(Integer::intValue).toArray();
  }

  private static long readLong(byte[] b, int i) {
    long v = 0;
    for (int k = 7; k >= 0; k--) {
      v = (v << 8) | (b[i + k] & 0xFF);
    }
    return v;
  }

  private static void writeLong(byte[] b, int i, long v) {
    for (int k = 0; k < 8; k++) {
      b[i + k] = (byte) (v >>> (8 * k));
    }
  }

  @Benchmark
  public int decodeAndAppend(Samples counter) throws Exception {
    return decodeAndAppendWith(decoder, counter);
  }

  /**
   * The same with every series resolved by its labels, as the first payload from each node after the storage
   * renumbered its series (a checkpoint that removed stopped series): what that renumbering costs the ingest.
   */
  @Benchmark
  public int decodeAndAppendResolvingByLabels(Samples counter) throws Exception {
    return decodeAndAppendWith(new OtlpMetricsDecoder(writer.resolver(), Long.MAX_VALUE / 4, 1 << 22), counter);
  }

  private int decodeAndAppendWith(OtlpMetricsDecoder decoder, Samples counter) throws Exception {
    byte[] payload = payloads.get(next);
    // Each replay of the data set moves its timestamps forward, so every sample is a real append.
    long nanos = tickNanos.get(next) + shiftNanos;
    for (int offset : timeOffsets.get(next)) {
      writeLong(payload, offset, nanos);
    }
    next++;
    if (next == payloads.size()) {
      next = 0;
      shiftNanos += TICKS * 1_000_000_000L;
    }
    SampleWriter.AppendOutcome outcome = writer.write("bench", batch, b -> decoder.decode(payload, b));
    counter.samples += batch.size();
    return outcome.appended();
  }
}
