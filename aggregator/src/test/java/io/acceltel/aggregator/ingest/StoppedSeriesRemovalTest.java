package io.acceltel.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.aggregator.rules.StreamingAggregator;
import io.acceltel.aggregator.storage.RawSeries;
import io.acceltel.aggregator.storage.Resolution;
import io.acceltel.aggregator.storage.Storage;
import io.acceltel.aggregator.storage.StorageConfig;
import io.acceltel.model.remotewrite.WriteRequestEncoder;
import io.acceltel.model.series.LabelMatcher;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Series that stop leave the head at the checkpoint after their data is in blocks, and the others are renumbered:
 * the refs that decoders cached must not outlive that, or one series' samples land in another.
 */
class StoppedSeriesRemovalTest {
  /** On a 10-minute boundary, so blocks start with the data. */
  private static final long T0 = 1_700_000_400_000L;
  private static final int MINUTES = 40;
  /** The stopping series send this many seconds: well inside the first raw block. */
  private static final int STOPS_AFTER = 300;

  private static StorageConfig tenMinuteBlocks() {
    Resolution m1 = Resolution.of(Duration.ofMinutes(1));
    return StorageConfig.builder().tiers(Duration.ofMinutes(1))
        .blockDuration(Resolution.RAW, Duration.ofMinutes(10)).blockDuration(m1, Duration.ofMinutes(10))
        .retention(Resolution.RAW, Duration.ZERO).retention(m1, Duration.ZERO).build();
  }

  @Test
  void refsCachedBeforeARenumberingAreResolvedAgain(@TempDir Path dir) throws Exception {
    try (Storage storage = Storage.open(dir, tenMinuteBlocks())) {
      SampleWriter writer = new SampleWriter(storage, 1, new IngestStats(new PrometheusRegistry()),
          new StreamingAggregator(List.of()));
      RemoteWriteDecoder decoder = new RemoteWriteDecoder(writer.resolver(), 600_000, 1000, 1_000_000, 1 << 12);
      SampleBatch batch = new SampleBatch();
      // "a" is created first and stops; "b" and "c" come after it in ref order and move down when it goes.
      for (int s = 0; s < MINUTES * 60; s++) {
        WriteRequestEncoder request = new WriteRequestEncoder();
        for (String gpu : s < STOPS_AFTER ? List.of("a", "b", "c") : List.of("b", "c")) {
          request.series(Map.of("__name__", "power", "gpu", gpu), new long[] {T0 + s * 1000L},
              new double[] {value(gpu, s)});
        }
        byte[] body = request.encode();
        writer.write("test", batch, b -> decoder.decode(body, body.length, b));
        if (s == 20 * 60) {
          long generation = writer.resolver().generation();
          checkpoint(writer, storage);
          assertThat(storage.stats().seriesRemoved()).as("a's data is all in blocks by now").isEqualTo(1);
          assertThat(storage.stats().series()).isEqualTo(2);
          assertThat(writer.resolver().generation()).isNotEqualTo(generation);
        }
      }
      assertEveryValue(storage, "b", MINUTES * 60);
      assertEveryValue(storage, "c", MINUTES * 60);
      assertEveryValue(storage, "a", STOPS_AFTER);
    }
  }

  @Test
  void parallelWritersWithCachedRefsKeepEverySampleWhileCheckpointsRemoveSeries(@TempDir Path dir)
      throws Exception {
    int writers = 4;
    int seriesPerWriter = 10;
    try (Storage storage = Storage.open(dir, tenMinuteBlocks())) {
      SampleWriter writer = new SampleWriter(storage, new IngestStats(new PrometheusRegistry()),
          new StreamingAggregator(List.of()));
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      AtomicInteger dropped = new AtomicInteger();
      // Writers stay within a minute of each other, so none falls behind a block being cut (too old).
      CyclicBarrier minute = new CyclicBarrier(writers);
      AtomicBoolean writing = new AtomicBoolean(true);
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int id = w;
        threads.add(new Thread(() -> {
          try {
            RemoteWriteDecoder decoder = new RemoteWriteDecoder(writer.resolver(), 600_000, 1000, 1_000_000, 1 << 12);
            SampleBatch batch = new SampleBatch();
            for (int s = 0; s < MINUTES * 60; s++) {
              if (s % 60 == 0) {
                if (!failures.isEmpty()) {
                  return;
                }
                minute.await(1, TimeUnit.MINUTES);
              }
              WriteRequestEncoder request = new WriteRequestEncoder();
              // Odd series stop early; even ones keep going.
              for (int k = 0; k < seriesPerWriter; k++) {
                if (k % 2 == 0 || s < STOPS_AFTER) {
                  String gpu = id + "-" + k;
                  request.series(Map.of("__name__", "power", "gpu", gpu), new long[] {T0 + s * 1000L},
                      new double[] {value(gpu, s)});
                }
              }
              byte[] body = request.encode();
              dropped.addAndGet(writer.write("test", batch, b -> decoder.decode(body, body.length, b)).dropped());
            }
          } catch (Throwable e) {
            failures.add(e);
            minute.reset(); // the others stop at the barrier instead of waiting for this one
          }
        }));
      }
      Thread checkpointer = new Thread(() -> {
        try {
          while (writing.get()) {
            checkpoint(writer, storage);
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      threads.forEach(Thread::start);
      checkpointer.start();
      for (Thread t : threads) {
        t.join();
      }
      writing.set(false);
      checkpointer.join();
      checkpoint(writer, storage);

      assertThat(failures).isEmpty();
      assertThat(dropped.get()).isZero();
      assertThat(storage.stats().seriesRemoved()).isEqualTo(writers * seriesPerWriter / 2);
      for (int w = 0; w < writers; w++) {
        for (int k = 0; k < seriesPerWriter; k++) {
          assertEveryValue(storage, w + "-" + k, k % 2 == 0 ? MINUTES * 60 : STOPS_AFTER);
        }
      }
    }
  }

  private static void checkpoint(SampleWriter writer, Storage storage) {
    writer.exclusively(() -> {
      try {
        storage.checkpoint(Map.of());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private static void assertEveryValue(Storage storage, String gpu, int seconds) {
    List<RawSeries> found = storage.querier().selectRaw(List.of(LabelMatcher.equal("gpu", gpu)), Long.MIN_VALUE,
        Long.MAX_VALUE);
    assertThat(found).as(gpu).hasSize(1);
    RawSeries series = found.get(0);
    assertThat(series.size()).as(gpu).isEqualTo(seconds);
    for (int s = 0; s < seconds; s++) {
      assertThat(series.timestamps()[s]).isEqualTo(T0 + s * 1000L);
      assertThat(series.values()[s]).as("%s at second %d", gpu, s).isEqualTo(value(gpu, s));
    }
  }

  private static double value(String gpu, int second) {
    return gpu.hashCode() * 10_000.0 + second;
  }
}
