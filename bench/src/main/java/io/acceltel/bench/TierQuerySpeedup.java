package io.acceltel.bench;

import io.acceltel.aggregator.query.StorageQueryable;
import io.acceltel.aggregator.storage.Resolution;
import io.acceltel.aggregator.storage.Storage;
import io.acceltel.aggregator.storage.StorageConfig;
import io.acceltel.aggregator.storage.block.FileUtil;
import io.acceltel.promql.engine.Engine;
import io.acceltel.promql.engine.QueryOptions;
import io.acceltel.promql.storage.SelectHints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * The dashboard queries over days of 1 s data, answered from the downsampled tiers (automatic resolution)
 * and from raw samples ({@code max_source_resolution=0}) by the same engine on the same storage: the speed-up the
 * tiers buy. Data goes straight into storage, with blocks cut as the aggregator cuts them and nothing expired.
 * Args: {@code [gpus=40] [days=7] [runs=5] [warmups=20]}. Raw evaluation decodes every sample of the range (16 bytes
 * each in memory), which bounds the size this can run at:
 * {@code java -Xmx16g -cp bench/target/benchmarks.jar io.acceltel.bench.TierQuerySpeedup 40 7 60 30}.
 */
public final class TierQuerySpeedup {
  private TierQuerySpeedup() {
  }

  public static void main(String[] args) throws Exception {
    int gpus = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    int days = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    int warmups = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    Path dir = Files.createTempDirectory("acceltel-tier-speedup");
    StorageConfig.Builder config = StorageConfig.builder();
    for (Resolution r : StorageConfig.defaults().resolutions()) {
      config.retention(r, Duration.ZERO); // keep raw for the whole range: it is the baseline
    }
    try (Storage storage = Storage.open(dir, config.build())) {
      long end = (System.currentTimeMillis() / 3_600_000) * 3_600_000;
      long start = end - days * 86_400_000L;
      long began = System.nanoTime();
      long samples = load(storage, gpus, start, end);
      System.out.printf(Locale.ROOT, "loaded %,d samples (%d GPUs, %d days at 1 s) in %.0f s%n", samples, gpus, days,
          (System.nanoTime() - began) / 1e9);
      Engine engine = new Engine();
      long from = start + 3_600_000;
      StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%d GPUs, %d days at 1 s, step 10m, "
          + "median of %d runs after %d warm-ups of both, in process%n%n| query | tiers ms | raw ms | raw / tiers |%n"
          + "|---|---|---|---|%n", gpus, days, runs, warmups));
      for (String[] q : DashboardDataset.QUERIES) {
        if (!q[0].contains(System.getProperty("acceltel.bench.only", ""))) {
          continue; // -Dacceltel.bench.only=<part of a query's name> runs that query alone
        }
        String promql = q[1].replace("%r", "40m");
        Query onTiers = () -> engine.range(new StorageQueryable(storage.querier()), promql, from, end, 600_000,
            options(SelectHints.AUTO_RESOLUTION), () -> false);
        Query onRaw = () -> engine.range(new StorageQueryable(storage.querier()), promql, from, end, 600_000,
            options(0), () -> false);
        // -Dacceltel.bench.tiersOnly=true skips the raw baseline (for profiling the tier path alone).
        boolean withRaw = !Boolean.getBoolean("acceltel.bench.tiersOnly");
        // Both paths share most of the engine: warm them up together before timing either, or whichever is timed
        // second runs on code the first one's runs compiled.
        for (int i = 0; i < warmups; i++) {
          onTiers.run();
          if (withRaw) {
            onRaw.run();
          }
        }
        double tiers = medianMillis(runs, onTiers);
        double raw = withRaw ? medianMillis(runs, onRaw) : Double.NaN;
        table.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f× |%n", q[0], tiers, raw, raw / tiers));
      }
      System.out.print(table);
    } finally {
      FileUtil.deleteRecursively(dir);
    }
  }

  private static QueryOptions options(long maxSourceResolution) {
    return new QueryOptions(Duration.ofMinutes(5), Long.MAX_VALUE, Duration.ofMinutes(30), maxSourceResolution);
  }

  private static long load(Storage storage, int gpus, long start, long end) throws Exception {
    long[] nextCheckpoint = {start + 600_000};
    long samples = new DashboardDataset(gpus, 8).appendEverySecond(storage.appender(), start, end, 600, t -> {
      if (t >= nextCheckpoint[0]) {
        checkpoint(storage); // cuts the blocks that are due, as the aggregator's checkpoints do
        nextCheckpoint[0] += 600_000;
      }
    });
    checkpoint(storage);
    return samples;
  }

  private static void checkpoint(Storage storage) {
    try {
      storage.checkpoint(Map.of());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private interface Query {
    Object run();
  }

  private static double medianMillis(int runs, Query q) {
    System.gc(); // the raw runs leave gigabytes of garbage: collect it before, not during, the next measurement
    long[] nanos = new long[runs];
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      q.run();
      nanos[i] = System.nanoTime() - t0;
    }
    Arrays.sort(nanos);
    return nanos[runs / 2] / 1e6;
  }
}
