package io.acceltel.aggregator.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.aggregator.storage.chunk.Chunk;
import io.acceltel.aggregator.storage.chunk.XorAppender;
import io.acceltel.model.series.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * Thinning a series for an instant selector read on a grid keeps exactly what the reader sees: at every grid time,
 * the newest sample at or before it is the same sample (time and bits) before and after.
 */
class StepGridTest {

  @Test
  void everyGridTimeSeesTheSameNewestSampleAfterThinning() {
    forRandomCases(42, 200, (random, c) -> {
      long[] t = c.t();
      int n = t.length;
      StepGrid grid = c.grid();
      Thinned thin = c.thinned();
      long[] tt = thin.t();
      int kept = thin.kept();

      assertThat(kept).isLessThanOrEqualTo(n);
      for (int i = 1; i < kept; i++) {
        assertThat(tt[i]).isGreaterThan(tt[i - 1]);
      }
      if (n > 0) {
        assertThat(tt[kept - 1]).as("the newest sample is kept").isEqualTo(t[n - 1]);
      }
      for (long g = grid.first(); g <= grid.last(); g += Math.max(1, grid.interval())) {
        int before = floor(t, n, g);
        int after = floor(tt, kept, g);
        assertThat(after < 0).isEqualTo(before < 0);
        if (before >= 0) {
          assertThat(tt[after]).isEqualTo(t[before]);
          assertThat(Double.doubleToRawLongBits(thin.v()[after]))
              .isEqualTo(Double.doubleToRawLongBits(c.v()[before]));
        }
        if (grid.interval() == 0) {
          break;
        }
      }
    });
  }

  /**
   * A raw series read for a grid skips the chunks before the first read that a later chunk supersedes; what it
   * keeps must still be exactly what thinning every sample in {@code [mint, maxt]} keeps.
   */
  @Test
  void aSeriesReadForAGridKeepsWhatThinningKeepsWhereverItsChunksEnd() {
    forRandomCases(7, 400, (random, c) -> {
      if (c.t().length == 0) {
        return;
      }
      List<Chunk> chunks = new ArrayList<>();
      XorAppender open = null;
      for (int i = 0; i < c.t().length; i++) {
        if (open == null || random.nextInt(12) == 0) {
          if (open != null) {
            chunks.add(open.snapshot());
          }
          open = new XorAppender(c.t()[i], c.v()[i], 1);
        } else {
          open.append(c.t()[i], c.v()[i]);
        }
      }
      chunks.add(open.snapshot());
      long mint = c.grid().first() - random.nextInt(5_000);
      long maxt = c.grid().last();
      RawSeries read = new RawSeries(Labels.of(Map.of("__name__", "x")), chunks, mint, maxt, c.grid());

      int from = 0;
      while (from < c.t().length && c.t()[from] < mint) {
        from++;
      }
      int to = from;
      while (to < c.t().length && c.t()[to] <= maxt) {
        to++;
      }
      long[] t = Arrays.copyOfRange(c.t(), from, to);
      double[] v = Arrays.copyOfRange(c.v(), from, to);
      int kept = c.grid().thin(t, v, t.length);
      assertThat(read.size()).isEqualTo(kept);
      assertThat(Arrays.copyOf(read.timestamps(), read.size())).isEqualTo(Arrays.copyOf(t, kept));
      for (int i = 0; i < kept; i++) {
        assertThat(Double.doubleToRawLongBits(read.values()[i])).isEqualTo(Double.doubleToRawLongBits(v[i]));
      }
    });
  }

  /** Tier windows are thinned by the same rule, over every column at once: they must keep what thinning keeps. */
  @Test
  void tierWindowsKeepWhatThinningKeeps() {
    forRandomCases(11, 200, (random, c) -> {
      double[][] columns = new double[WindowColumn.values().length][];
      columns[WindowColumn.LAST.chunkColumn()] = c.v().clone();
      WindowSeries windows = new WindowSeries(Labels.of(Map.of("__name__", "x")), Resolution.ofMillis(1000),
          c.t().clone(), columns, c.t().length, Double.NaN).thinnedFor(c.grid());
      long[] kept = new long[windows.size()];
      for (int i = 0; i < kept.length; i++) {
        kept[i] = windows.timestamp(i);
        assertThat(Double.doubleToRawLongBits(windows.last(i))).isEqualTo(Double.doubleToRawLongBits(
            c.v()[Arrays.binarySearch(c.t(), kept[i])]));
      }
      Thinned thin = c.thinned();
      assertThat(kept).as("%s", c.grid()).containsExactly(Arrays.copyOf(thin.t(), thin.kept()));
    });
  }

  @Test
  void aThinnerFedInBatchesKeepsWhatThinningTheWholeArrayKeeps() {
    forRandomCases(7, 400, (random, c) -> {
      long[] t = c.t();
      int n = t.length;
      StepGrid.Thinner thinner = c.grid().thinner(n);
      for (int from = 0; from < n; ) {
        int batch = Math.min(n - from, 1 + random.nextInt(130)); // chunk-sized batches
        thinner.add(Arrays.copyOfRange(t, from, from + batch), Arrays.copyOfRange(c.v(), from, from + batch), batch);
        from += batch;
      }
      int streamed = thinner.finish();
      Thinned thin = c.thinned();

      assertThat(streamed).isEqualTo(thin.kept());
      assertThat(Arrays.copyOf(thinner.timestamps(), streamed)).containsExactly(Arrays.copyOf(thin.t(), streamed));
      assertThat(Arrays.copyOf(thinner.values(), streamed)).containsExactly(Arrays.copyOf(thin.v(), streamed));
    });
  }

  @Test
  void oneSecondDataReadEveryFifteenSecondsKeepsOneSampleInFifteen() {
    long[] t = new long[3600];
    double[] v = new double[3600];
    for (int i = 0; i < t.length; i++) {
      t[i] = 1_000_000 + i * 1000L;
      v[i] = i;
    }
    int kept = new StepGrid(1_000_000 + 299_000, 15_000, 1_000_000 + 3_599_000).thin(t, v, t.length);
    assertThat(kept).as("one per grid time: 3,300 s / 15 s + 1").isEqualTo(221);
    assertThat(Arrays.copyOf(v, 3)).containsExactly(299, 314, 329);
  }

  @Test
  void refusesAGridThatGoesBackwards() {
    assertThatThrownBy(() -> new StepGrid(10, 5, 0)).hasMessageContaining("last >= first");
    assertThatThrownBy(() -> new StepGrid(0, 0, 10)).hasMessageContaining("last == first");
  }

  /** Increasing timestamps, often 1 to 3 ms apart and often far apart; values with some staleness markers. */
  /** Samples at strictly increasing times (some of them stale markers), and a grid to read them at. */
  private record Case(long[] t, double[] v, StepGrid grid) {
    /** What {@link StepGrid#thin} keeps, on copies. */
    Thinned thinned() {
      long[] tt = t.clone();
      double[] vv = v.clone();
      return new Thinned(tt, vv, grid.thin(tt, vv, t.length));
    }
  }

  private record Thinned(long[] t, double[] v, int kept) {}

  /** 2,000 random cases of up to {@code maxSamples} samples, from {@code seed}. */
  private static void forRandomCases(long seed, int maxSamples, BiConsumer<Random, Case> check) {
    Random random = new Random(seed);
    for (int round = 0; round < 2000; round++) {
      int n = random.nextInt(maxSamples);
      long[] t = new long[n];
      double[] v = new double[n];
      randomSamples(random, t, v);
      check.accept(random, new Case(t, v, randomGrid(random)));
    }
  }

  private static void randomSamples(Random random, long[] t, double[] v) {
    long ts = random.nextInt(5000);
    for (int i = 0; i < t.length; i++) {
      ts += 1 + random.nextInt(random.nextBoolean() ? 3 : 3000);
      t[i] = ts;
      v[i] = random.nextInt(10) == 0 ? Double.longBitsToDouble(0x7ff0000000000002L) : random.nextGaussian();
    }
  }

  /** A grid of one time (a quarter of the time) or of up to 200 steps. */
  private static StepGrid randomGrid(Random random) {
    long first = random.nextInt(20_000);
    long interval = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(2000);
    return new StepGrid(first, interval, interval == 0 ? first : first + interval * random.nextInt(200));
  }

  private static int floor(long[] t, int n, long time) {
    int i = Arrays.binarySearch(t, 0, n, time);
    return i >= 0 ? i : -i - 2;
  }
}
