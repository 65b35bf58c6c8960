package io.acceltel.aggregator.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.series.Labels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers query while the writer appends, seals chunks, cuts blocks and trims the head. Every series a reader
 * sees must be a gap-free prefix of what was written: value = f(series, t), one sample a second from the start,
 * never a duplicate, never a hole where a chunk moved from head to block, never a half-written sample.
 */
class ConcurrentQueryTest {
  private static final long START = 1_700_000_000_000L;
  private static final int SERIES = 16;
  private static final int SECONDS = 4 * 3600;

  @TempDir
  Path dir;

  private static double value(int series, long t) {
    long s = (t - START) / 1000;
    return series % 2 == 0 ? (s * 7 + series) % 101 : Math.sin(s * 0.01 + series) * 1000 + s;
  }

  @Test
  void readersNeverSeeTornData() throws Exception {
    StorageConfig config = TestConfigs.shortBlocks().chunkSamples(60).build();
    try (Storage storage = Storage.open(dir, config)) {
      Appender app = storage.appender();
      int[] refs = new int[SERIES];
      for (int i = 0; i < SERIES; i++) {
        refs[i] = app.ref(Labels.of("__name__", "m", "series", Integer.toString(i)));
      }
      AtomicBoolean done = new AtomicBoolean();
      AtomicLong checks = new AtomicLong();
      ExecutorService readers = Executors.newFixedThreadPool(2);
      List<Future<?>> futures = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        Resolution tier = r == 0 ? Resolution.RAW : TestConfigs.S10;
        futures.add(readers.submit(() -> {
          // do-while: at least one full check after the writer finished
          boolean last;
          do {
            last = done.get();
            check(storage.querier(), tier);
            checks.incrementAndGet();
          } while (!last);
          return null;
        }));
      }
      for (int s = 0; s < SECONDS; s++) {
        long t = START + s * 1000L;
        for (int i = 0; i < SERIES; i++) {
          app.append(refs[i], t, value(i, t));
        }
        if (s % 600 == 599) {
          storage.checkpoint(Map.of("m/0", (long) s));
        }
      }
      done.set(true);
      for (Future<?> f : futures) {
        f.get(5, TimeUnit.MINUTES);
      }
      readers.shutdown();
      assertThat(checks.get()).isGreaterThanOrEqualTo(2);
      assertThat(storage.stats().blocks().get(Resolution.RAW)).isGreaterThan(10);
    }
  }

  private static void check(Querier q, Resolution res) {
    List<SeriesData> all = q.select(List.of(LabelMatcher.equal("__name__", "m")), START, Long.MAX_VALUE, res);
    for (SeriesData d : all) {
      int series = Integer.parseInt(d.labels().get("series"));
      if (res.isRaw()) {
        SampleIterator it = ((RawSeries) d).iterator();
        long expect = START;
        while (it.next()) {
          assertThat(it.timestamp()).as("series %d", series).isEqualTo(expect);
          assertThat(it.value()).as("series %d at %d", series, expect).isEqualTo(value(series, expect));
          expect += 1000;
        }
        assertThat(expect).isGreaterThan(START);
      } else {
        WindowSeries w = (WindowSeries) d;
        long prevEnd = -1;
        for (int i = 0; i < w.size(); i++) {
          if (prevEnd >= 0) {
            assertThat(w.windowStart(i)).as("series %d window %d", series, i).isEqualTo(prevEnd);
          }
          // Every complete 10 s window holds ten samples, except the first (START is not aligned).
          if (i > 0) {
            assertThat(w.count(i)).isEqualTo(10);
            assertThat(w.timestamp(i)).isEqualTo(w.windowEnd(i) - 1000);
            assertThat(w.last(i)).isEqualTo(value(series, w.timestamp(i)));
          }
          prevEnd = w.windowEnd(i);
        }
      }
    }
  }
}
