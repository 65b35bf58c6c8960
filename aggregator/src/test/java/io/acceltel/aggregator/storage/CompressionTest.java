package io.acceltel.aggregator.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.model.series.Labels;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encoded size of realistic 1 s GPU gauges: the real H100 trace's utilization, power, temperatures and clocks,
 * looped to 3 hours per GPU with per-GPU perturbation (phase offset, power noise, temperature offset). A
 * compression-ratio assertion: deterministic, not a timing test.
 */
class CompressionTest {
  private static final long START = 1_700_000_000_000L;
  private static final int GPUS = 8;
  private static final int SECONDS = 3 * 3600;

  @TempDir
  Path dir;

  @Test
  void gpuGaugesTakeAtMostOneBytePerSampleInHeadAndOnDisk() throws Exception {
    List<double[]> trace = readTrace();
    StorageConfig config = StorageConfig.builder().build(); // 2 h raw blocks, 120-sample chunks
    try (Storage storage = Storage.open(dir, config)) {
      Appender app = storage.appender();
      String[] names = {"util_gpu", "util_mem", "power_watts", "temp_gpu", "temp_mem", "clock_sm_mhz",
          "clock_mem_mhz"};
      int[][] refs = new int[GPUS][names.length];
      for (int g = 0; g < GPUS; g++) {
        for (int m = 0; m < names.length; m++) {
          refs[g][m] = app.ref(Labels.of("__name__", names[m], "node", "n1", "gpu", Integer.toString(g)));
        }
      }
      Random rnd = new Random(42);
      long samples = 0;
      for (int s = 0; s < SECONDS; s++) {
        long t = START + s * 1000L;
        for (int g = 0; g < GPUS; g++) {
          double[] row = trace.get((s + g * 17) % trace.size());
          double power = Math.max(0, row[2] + rnd.nextInt(2001) - 1000) / 1000.0; // mW noise, reported in W
          double[] v = {row[0], row[1], power, row[3] + g % 3, row[4] + g % 2, row[5], row[6]};
          for (int m = 0; m < names.length; m++) {
            app.append(refs[g][m], t, v[m]);
            samples++;
          }
        }
      }
      StorageStats head = storage.stats();
      double headBytesPerSample = (double) head.headRawBytes() / head.headRawSamples();
      storage.checkpoint(Map.of());
      StorageStats after = storage.stats();
      double diskBytesPerSample = (double) after.diskBytes().get(Resolution.RAW)
          / after.diskSamples().get(Resolution.RAW);
      System.out.printf("head %.3f B/sample over %d samples, disk %.3f B/sample over %d samples%n",
          headBytesPerSample, head.headRawSamples(), diskBytesPerSample, after.diskSamples().get(Resolution.RAW));
      assertThat(head.headRawSamples()).isEqualTo(samples);
      assertThat(headBytesPerSample).isLessThanOrEqualTo(1.0);
      assertThat(after.diskSamples().get(Resolution.RAW)).isPositive();
      assertThat(diskBytesPerSample).isLessThanOrEqualTo(1.0);
    }
  }

  /** Columns: util_gpu, util_mem, power_mw, temp_gpu, temp_mem, clk_sm, clk_mem. */
  static List<double[]> readTrace() throws Exception {
    List<double[]> rows = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        CompressionTest.class.getResourceAsStream("/h100-trace.csv"), StandardCharsets.UTF_8))) {
      String[] header = r.readLine().split(",");
      List<String> h = List.of(header);
      int[] cols = {h.indexOf("util_gpu"), h.indexOf("util_mem"), h.indexOf("power_mw"), h.indexOf("temp_gpu"),
          h.indexOf("temp_mem"), h.indexOf("clk_sm"), h.indexOf("clk_mem")};
      String line;
      while ((line = r.readLine()) != null) {
        String[] f = line.split(",");
        double[] row = new double[cols.length];
        for (int i = 0; i < cols.length; i++) {
          row[i] = Double.parseDouble(f[cols[i]]);
        }
        rows.add(row);
      }
    }
    return rows;
  }
}
