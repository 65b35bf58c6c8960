package io.acceltel.aggregator.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.model.series.LabelMatcher;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tier windows read back from the storage equal the windows computed naively from the raw samples, for every
 * default tier, with windows spanning chunk boundaries, block boundaries (blocks cut along the way) and a restart
 * (crash after a checkpoint, replay from the checkpointed offset and from before it).
 */
class TierWindowsTest {
  private static final long START = 1_700_000_123_000L;

  @TempDir
  Path dir;

  @Test
  void windowsEqualNaiveAcrossChunksBlocksAndRestart() throws Exception {
    Feed feed = Feed.gpuLike(START, 5 * 3600, 7);
    int total = feed.records.size();
    int crashAt = total / 2 + 1234;
    StorageConfig config = TestConfigs.shortBlocks().build();
    int checkpointEvery = 3000;
    Storage storage = Storage.open(dir, config);
    int lastCheckpoint = 0;
    for (int i = 0; i < crashAt; i += 500) {
      int to = Math.min(crashAt, i + 500);
      assertThat(feed.append(storage.appender(), i, to)).isEqualTo(to - i);
      if (to % checkpointEvery == 0) {
        storage.checkpoint(Map.of("metrics/0", (long) to));
        lastCheckpoint = to;
      }
    }
    assertThat(storage.stats().blocks().get(Resolution.RAW)).isGreaterThan(3);
    storage.close(); // a crash: everything after the last checkpoint is lost, Kafka still has it

    storage = Storage.open(dir, config);
    long from = storage.checkpointedOffsets().get("metrics/0");
    assertThat(from).isEqualTo(lastCheckpoint);
    // Replaying from before the checkpoint: all of it is dropped as duplicate.
    assertThat(feed.append(storage.appender(), (int) from - 700, (int) from)).isZero();
    for (int i = (int) from; i < total; i += 500) {
      int to = Math.min(total, i + 500);
      assertThat(feed.append(storage.appender(), i, to)).isEqualTo(to - i);
      if (to % checkpointEvery == 0) {
        storage.checkpoint(Map.of("metrics/0", (long) to));
      }
    }
    try (Storage s = storage) {
      Querier q = s.querier();
      for (int series = 0; series < feed.labels.size(); series++) {
        long[] t = feed.timestamps(series);
        double[] v = feed.values(series);
        List<LabelMatcher> ms = List.of(LabelMatcher.equal("kind", feed.labels.get(series).get("kind")));
        // Raw: every sample back, bit-exactly.
        List<RawSeries> raw = q.selectRaw(ms, Long.MIN_VALUE, Long.MAX_VALUE);
        assertThat(raw).hasSize(1);
        assertThat(raw.get(0).timestamps()).containsExactly(t);
        assertBitsEqual(raw.get(0).values(), v);
        for (Resolution res : config.tiers()) {
          List<Naive.Window> expected = Naive.windows(t, v, res.millis());
          List<WindowSeries> got = q.selectWindows(ms, Long.MIN_VALUE, Long.MAX_VALUE, res);
          assertThat(got).hasSize(1);
          WindowSeries w = got.get(0);
          assertThat(w.size()).as("%s windows of %s", res, feed.labels.get(series)).isEqualTo(expected.size());
          for (int i = 0; i < w.size(); i++) {
            Naive.Window e = expected.get(i);
            String what = res + " window " + i + " of " + feed.labels.get(series);
            assertThat(w.windowStart(i)).as(what).isEqualTo(e.start());
            assertThat(w.windowEnd(i)).as(what).isEqualTo(e.start() + res.millis());
            assertThat(w.timestamp(i)).as(what).isEqualTo(e.lastT());
            assertThat(w.count(i)).as(what).isEqualTo(e.count());
            assertThat(bits(w.sum(i))).as(what + " sum").isEqualTo(bits(e.sum()));
            assertThat(bits(w.min(i))).as(what + " min").isEqualTo(bits(e.min()));
            assertThat(bits(w.max(i))).as(what + " max").isEqualTo(bits(e.max()));
            assertThat(bits(w.last(i))).as(what + " last").isEqualTo(bits(e.last()));
            assertThat(bits(w.counter(i))).as(what + " counter").isEqualTo(bits(e.counter()));
          }
        }
      }
      // Counter increase across resets between any two window points equals the raw increase.
      long[] t = feed.timestamps(2);
      double[] v = feed.values(2);
      for (Resolution res : config.tiers()) {
        WindowSeries w = q.selectWindows(List.of(LabelMatcher.equal("kind", "counter")), Long.MIN_VALUE,
            Long.MAX_VALUE, res).get(0);
        for (int i = 1; i < w.size(); i++) {
          assertThat(w.counter(i) - w.counter(i - 1)).as("%s increase into window %d", res, i)
              .isEqualTo(Naive.increase(t, v, w.timestamp(i - 1), w.timestamp(i)));
        }
        assertThat(w.counter(w.size() - 1) - w.counter(0))
            .isEqualTo(Naive.increase(t, v, w.timestamp(0), w.timestamp(w.size() - 1)));
      }
      // The feed has resets, so the test above exercises them.
      assertThat(Naive.increase(t, v, t[0], t[t.length - 1])).isGreaterThan(v[v.length - 1] - v[0]);
    }
  }

  @Test
  void rangeSelectionUsesThePointTimestamp() throws Exception {
    Feed feed = Feed.gpuLike(START, 1200, 3);
    try (Storage s = Storage.open(dir, TestConfigs.shortBlocks().build())) {
      feed.append(s.appender(), 0, feed.records.size());
      List<LabelMatcher> ms = List.of(LabelMatcher.equal("kind", "util"));
      WindowSeries all = s.querier().selectWindows(ms, Long.MIN_VALUE, Long.MAX_VALUE, TestConfigs.M1).get(0);
      long mint = all.timestamp(3);
      long maxt = all.timestamp(7);
      WindowSeries some = s.querier().selectWindows(ms, mint, maxt, TestConfigs.M1).get(0);
      assertThat(some.size()).isEqualTo(5);
      assertThat(some.timestamp(0)).isEqualTo(mint);
      assertThat(some.sum(4)).isEqualTo(all.sum(7));
    }
  }

  private static long bits(double d) {
    return Double.doubleToRawLongBits(d);
  }

  private static void assertBitsEqual(double[] got, double[] want) {
    assertThat(got).hasSameSizeAs(want);
    for (int i = 0; i < got.length; i++) {
      assertThat(bits(got[i])).as("value %d", i).isEqualTo(bits(want[i]));
    }
  }
}
