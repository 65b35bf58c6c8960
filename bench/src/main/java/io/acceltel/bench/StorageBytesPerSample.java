package io.acceltel.bench;

import io.acceltel.aggregator.storage.Appender;
import io.acceltel.aggregator.storage.Resolution;
import io.acceltel.aggregator.storage.Storage;
import io.acceltel.aggregator.storage.StorageConfig;
import io.acceltel.aggregator.storage.StorageStats;
import io.acceltel.aggregator.storage.block.FileUtil;
import io.acceltel.model.series.Labels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Prints bytes per sample in the head and on disk, and heap per active series, for a fleet of GPU-shaped series
 * ({@link GpuSeriesGenerator}: nodes x 8 GPUs x 60 series, 1 s samples). Not JMH: a size measurement. Args:
 * {@code [nodes=1000] [minutes=30]}. Raw blocks are 10 minutes here so that a short run also writes blocks.
 * Run: {@code java -Xmx16g -cp bench/target/benchmarks.jar io.acceltel.bench.StorageBytesPerSample 1000 30}.
 */
public final class StorageBytesPerSample {
  private StorageBytesPerSample() {
  }

  public static void main(String[] args) throws Exception {
    int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int minutes = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int perGpu = 60;
    int series = nodes * 8 * perGpu;
    Path dir = Files.createTempDirectory("acceltel-bytes");
    StorageConfig config = StorageConfig.builder()
        .blockDuration(Resolution.RAW, Duration.ofMinutes(10))
        .build();
    Runtime rt = Runtime.getRuntime();
    long baseline = usedAfterGc(rt);
    try (Storage storage = Storage.open(dir, config)) {
      Appender app = storage.appender();
      int[] refs = new int[series];
      GpuSeriesGenerator[] gens = new GpuSeriesGenerator[series];
      for (int i = 0; i < series; i++) {
        int gpu = i / perGpu;
        refs[i] = app.ref(Labels.of("__name__", "gpu_metric_" + (i % perGpu), "node", "node-" + (gpu / 8),
            "gpu", Integer.toString(gpu % 8), "uuid", "GPU-" + Integer.toHexString(0x100000 + gpu),
            "cluster", "c1"));
        gens[i] = new GpuSeriesGenerator(i % perGpu, gpu);
      }
      long start = 1_700_000_000_000L;
      long t0 = System.nanoTime();
      for (int s = 0; s < minutes * 60; s++) {
        long t = start + s * 1000L;
        for (int i = 0; i < series; i++) {
          app.append(refs[i], t, gens[i].next());
        }
        if (s % 600 == 599) {
          storage.checkpoint(Map.of("bench/0", (long) s));
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      StorageStats st = storage.stats();
      long used = usedAfterGc(rt) - baseline;
      long diskRaw = st.diskBytes().get(Resolution.RAW);
      long diskRawSamples = st.diskSamples().get(Resolution.RAW);
      System.out.printf("series %,d  samples appended %,d  (%.0f samples/s incl. generation and checkpoints)%n",
          st.series(), st.samplesAppended(), st.samplesAppended() / seconds);
      System.out.printf("head raw: %.3f bytes/sample (%,d bytes, %,d samples); head tiers %,d bytes%n",
          (double) st.headRawBytes() / st.headRawSamples(), st.headRawBytes(), st.headRawSamples(),
          st.headTierBytes());
      System.out.printf("disk raw: %.3f bytes/sample (%,d bytes, %,d samples, %d blocks)%n",
          diskRawSamples == 0 ? Double.NaN : (double) diskRaw / diskRawSamples, diskRaw, diskRawSamples,
          st.blocks().get(Resolution.RAW));
      System.out.printf("disk per resolution: %s%n", st.diskBytes());
      System.out.printf("heap: %,d bytes in use = %,.0f bytes per active series (%,.0f excluding head chunk"
          + " bytes)%n", used, (double) used / series,
          (double) (used - st.headRawBytes() - st.headTierBytes()) / series);
    } finally {
      FileUtil.deleteRecursively(dir);
    }
  }

  private static long usedAfterGc(Runtime rt) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
