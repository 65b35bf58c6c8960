package io.acceltel.bench;

import io.acceltel.aggregator.storage.Appender;
import io.acceltel.model.series.Labels;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.LongConsumer;

/**
 * The data behind the dashboard queries, shared by {@link QueryCompare} (which sends it to every server
 * through remote_write) and {@link QueryBenchmark} (which appends it straight into storage): per GPU, utilization,
 * temperature, power and an energy counter labelled {@code gpu, job, node}; per node, the exporter's tick-duration
 * histogram ({@code le} buckets, one observation per second of data).
 *
 * <pre>{@code
 * DashboardDataset data = new DashboardDataset(1000, 8);
 * data.generate(times, n, (series, values) -> ...);   // every series' values at times[0..n)
 * }</pre>
 */
public final class DashboardDataset {
  static final String[] LES = {"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1",
      "+Inf"};
  private static final double[] BOUNDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};

  /** The dashboard queries; {@code %r} is the rate window. */
  static final String[][] QUERIES = {
      {"per-node average utilization", "avg by (node) (accelerator_utilization_ratio)"},
      {"top-10 hottest GPUs", "topk(10, accelerator_temperature_celsius)"},
      {"per-job power", "sum by (job) (accelerator_power_watts)"},
      {"tick duration p99", "histogram_quantile(0.99, sum by (le) (rate(acceltel_exporter_tick_duration_seconds_bucket"
          + "[%r])))"},
      {"energy rate per node", "sum by (node) (rate(accelerator_energy_joules_total[%r]))"}};

  /** One series: its labels as name, value pairs (sorted by name), and where its values come from. */
  public static final class Series {
    private final String[] labels;
    private final GpuSeriesGenerator gen;
    private final int node;
    private final int bucket;

    private Series(String[] labels, GpuSeriesGenerator gen, int node, int bucket) {
      this.labels = labels;
      this.gen = gen;
      this.node = node;
      this.bucket = bucket;
    }

    public String[] labels() {
      return labels.clone();
    }
  }

  /** Receives each series' values for one slice of times. */
  public interface SliceSink {
    void accept(Series series, double[] values);
  }

  private final List<Series> series = new ArrayList<>();
  private final double[][] histograms;
  private final Random tickDurations = new Random(3);

  public DashboardDataset(int gpus, int gpusPerNode) {
    int[] kinds = {0, 2, 1, 7}; // GpuSeriesGenerator layout: UTIL, TEMP, POWER, ENERGY_COUNTER
    String[] names = {"accelerator_utilization_ratio", "accelerator_temperature_celsius", "accelerator_power_watts",
        "accelerator_energy_joules_total"};
    for (int g = 0; g < gpus; g++) {
      String node = String.format(Locale.ROOT, "node-%04d", g / gpusPerNode);
      String job = String.format(Locale.ROOT, "job-%02d", g / 50);
      for (int k = 0; k < names.length; k++) {
        series.add(new Series(new String[] {"__name__", names[k], "gpu", Integer.toString(g % gpusPerNode), "job",
            job, "node", node}, new GpuSeriesGenerator(kinds[k], g * 7L + k), -1, -1));
      }
    }
    int nodes = (gpus + gpusPerNode - 1) / gpusPerNode;
    histograms = new double[nodes][LES.length];
    for (int n = 0; n < nodes; n++) {
      String node = String.format(Locale.ROOT, "node-%04d", n);
      for (int b = 0; b < LES.length; b++) {
        series.add(new Series(new String[] {"__name__", "acceltel_exporter_tick_duration_seconds_bucket", "le",
            LES[b], "node", node}, null, n, b));
      }
    }
  }

  private void resolve(Appender appender, Map<Series, Integer> refs) {
    for (Series s : series) {
      refs.put(s, appender.ref(Labels.of(s.labels)));
    }
  }

  /**
   * Appends every series at 1 s from {@code start} to {@code end} (inclusive) straight into storage, in slices of
   * {@code sliceSeconds}; {@code afterSlice} runs after each slice with the slice's first timestamp. Returns the
   * number of samples appended.
   */
  public long appendEverySecond(Appender appender, long start, long end, int sliceSeconds, LongConsumer afterSlice) {
    Map<Series, Integer> refs = new IdentityHashMap<>();
    resolve(appender, refs);
    long generation = appender.refGeneration();
    long[] times = new long[sliceSeconds];
    long samples = 0;
    for (long t = start; t <= end; t += sliceSeconds * 1000L) {
      int n = 0;
      while (n < times.length && t + n * 1000L <= end) {
        times[n] = t + n * 1000L;
        n++;
      }
      generate(times, n, 1000, (s, values) -> {
        int ref = refs.get(s);
        for (int i = 0; i < values.length; i++) {
          appender.append(ref, times[i], values[i]);
        }
      });
      samples += (long) n * refs.size();
      afterSlice.accept(t);
      if (appender.refGeneration() != generation) { // a checkpoint in afterSlice removed series and renumbered
        resolve(appender, refs);
        generation = appender.refGeneration();
      }
    }
    return samples;
  }

  public List<Series> series() {
    return List.copyOf(series);
  }

  /**
   * Every series' values at {@code times[0..n)}, in time order across calls. Each sample stands for
   * {@code intervalMillis} of data: the histograms count one tick per second of it.
   */
  public void generate(long[] times, int n, long intervalMillis, SliceSink sink) {
    double[][][] histogramAt = new double[n][][];
    long seconds = Math.max(1, intervalMillis / 1000);
    for (int s = 0; s < n; s++) {
      histogramAt[s] = new double[histograms.length][];
      for (int h = 0; h < histograms.length; h++) {
        for (long o = 0; o < seconds; o++) {
          double d = Math.exp(tickDurations.nextGaussian() * 0.8 - 5.5);
          for (int b = 0; b < LES.length; b++) {
            if (b == LES.length - 1 || d <= BOUNDS[b]) {
              histograms[h][b]++;
            }
          }
        }
        histogramAt[s][h] = histograms[h].clone();
      }
    }
    for (Series s : series) {
      double[] values = new double[n];
      for (int i = 0; i < n; i++) {
        values[i] = s.bucket < 0 ? s.gen.next() : histogramAt[i][s.node][s.bucket];
      }
      sink.accept(s, values);
    }
  }
}
