package io.acceltel.bench;

import io.acceltel.aggregator.storage.Appender;
import io.acceltel.aggregator.storage.Storage;
import io.acceltel.aggregator.storage.StorageConfig;
import io.acceltel.aggregator.storage.block.FileUtil;
import io.acceltel.aggregator.storage.chunk.Chunk;
import io.acceltel.aggregator.storage.chunk.ChunkCompactor;
import io.acceltel.aggregator.storage.chunk.ChunkIterator;
import io.acceltel.model.series.Labels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Storage ingest and decode throughput on one core, in samples per second (target: at least 1,000,000 each).
 * {@code append}: one 1 s tick of 8,000 series of GPU-shaped data (about 133 GPUs x 60 series, as {@link GpuSeriesGenerator}
 * lays them out) into the head, tiers included; values are precomputed so only storage is measured.
 * {@code decode}: iterating sealed chunks of the same data; {@code decodeInto}: decoding them whole. Run:
 * {@code java -jar bench/target/benchmarks.jar StorageAppendBenchmark -t 1}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
public class StorageAppendBenchmark {
  static final int SERIES = 8000;
  static final int TICKS = 3600;

  private Path dir;
  private Storage storage;
  private Appender appender;
  private int[] refs;
  /** values[tick % TICKS][series]. */
  private double[][] values;
  private long tick;
  private Chunk[] chunks;
  private final ChunkIterator iterator = new ChunkIterator();
  private final long[] decodedTimes = new long[120];
  private final double[] decodedValues = new double[120];

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("acceltel-bench");
    storage = Storage.open(dir, StorageConfig.defaults());
    appender = storage.appender();
    refs = new int[SERIES];
    GpuSeriesGenerator[] gens = new GpuSeriesGenerator[SERIES];
    for (int i = 0; i < SERIES; i++) {
      int gpu = i / 60;
      refs[i] = appender.ref(Labels.of("__name__", "gpu_metric_" + (i % 60), "node", "node-" + (gpu / 8),
          "gpu", Integer.toString(gpu % 8), "uuid", "GPU-" + Integer.toHexString(0x1000 + gpu)));
      gens[i] = new GpuSeriesGenerator(i % 60, gpu);
    }
    values = new double[TICKS][SERIES];
    for (int t = 0; t < TICKS; t++) {
      for (int i = 0; i < SERIES; i++) {
        values[t][i] = gens[i].next();
      }
    }
    // 120-sample sealed chunks of the first 500 series for the decode benchmark.
    ChunkCompactor compactor = new ChunkCompactor();
    chunks = new Chunk[500];
    long[] ts = new long[120];
    double[] vs = new double[120];
    for (int i = 0; i < chunks.length; i++) {
      for (int k = 0; k < 120; k++) {
        ts[k] = 1_700_000_000_000L + k * 1000L;
        vs[k] = values[k][i];
      }
      chunks[i] = compactor.encode(ts, vs, 120);
    }
    tick = 0;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    storage.close();
    FileUtil.deleteRecursively(dir);
  }

  @Benchmark
  @OperationsPerInvocation(SERIES)
  public void append() {
    long t = 1_700_000_000_000L + tick * 1000L;
    double[] row = values[(int) (tick % TICKS)];
    tick++;
    for (int i = 0; i < SERIES; i++) {
      appender.append(refs[i], t, row[i]);
    }
  }

  @Benchmark
  @OperationsPerInvocation(500 * 120)
  public void decode(Blackhole bh) {
    double sum = 0;
    long last = 0;
    for (Chunk c : chunks) {
      iterator.reset(c);
      while (iterator.next()) {
        sum += iterator.value();
        last = iterator.timestamp();
      }
    }
    bh.consume(sum);
    bh.consume(last);
  }
  /** The same chunks decoded whole into arrays, as queries decode them ({@code ChunkIterator.decodeInto}). */
  @Benchmark
  @OperationsPerInvocation(500 * 120)
  public void decodeInto(Blackhole bh) {
    for (Chunk c : chunks) {
      iterator.reset(c);
      bh.consume(iterator.decodeInto(decodedTimes, decodedValues, 0, Long.MIN_VALUE, Long.MAX_VALUE));
    }
    bh.consume(decodedValues[119]);
  }

}
