package io.acceltel.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.aggregator.rules.AggregationRule;
import io.acceltel.aggregator.rules.StreamingAggregator;
import io.acceltel.aggregator.storage.RawSeries;
import io.acceltel.aggregator.storage.Storage;
import io.acceltel.aggregator.storage.StorageConfig;
import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.series.Labels;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The striped writer: parallel writers and checkpoints store every sample exactly once. */
class SampleWriterTest {
  private static final long T0 = 1_795_349_040_000L;
  private static final int WRITERS = 4;
  private static final int SERIES_PER_WRITER = 50;
  private static final int SECONDS = 200;

  @Test
  void parallelWritersAndCheckpointsKeepEverySampleExactlyOnce(@TempDir Path dir) throws Exception {
    try (Storage storage = Storage.open(dir, StorageConfig.defaults())) {
      SampleWriter writer = new SampleWriter(storage, new IngestStats(new PrometheusRegistry()),
          new StreamingAggregator(List.of()));
      AtomicInteger appended = new AtomicInteger();
      AtomicInteger dropped = new AtomicInteger();
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      CountDownLatch start = new CountDownLatch(1);
      AtomicBoolean writing = new AtomicBoolean(true);
      AtomicInteger checkpoints = new AtomicInteger();
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int id = w;
        writers.add(new Thread(() -> {
          try {
            start.await();
            SampleBatch batch = new SampleBatch();
            for (int s = 0; s < SECONDS; s++) {
              int second = s;
              SampleWriter.AppendOutcome out = writer.write("test", batch, b -> fill(writer, b, id, second));
              appended.addAndGet(out.appended());
              dropped.addAndGet(out.dropped());
              if (s % 10 == 9) { // a sender's retry of a request already stored: every sample is a duplicate
                out = writer.write("test", batch, b -> fill(writer, b, id, second));
                appended.addAndGet(out.appended());
                dropped.addAndGet(out.dropped());
              }
            }
          } catch (Throwable e) {
            failures.add(e);
          }
        }));
      }
      Thread checkpointer = new Thread(() -> {
        try {
          start.await();
          while (writing.get()) {
            writer.exclusively(() -> {
              try {
                storage.checkpoint(Map.of());
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
            checkpoints.incrementAndGet();
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      writers.forEach(Thread::start);
      checkpointer.start();
      start.countDown();
      for (Thread t : writers) {
        t.join();
      }
      writing.set(false);
      checkpointer.join();

      assertThat(failures).isEmpty();
      assertThat(checkpoints.get()).isPositive();
      assertThat(appended.get()).isEqualTo(WRITERS * SERIES_PER_WRITER * SECONDS);
      assertThat(dropped.get()).isEqualTo(WRITERS * SERIES_PER_WRITER * SECONDS / 10);
      List<RawSeries> all = storage.querier().selectRaw(List.of(LabelMatcher.equal("__name__", "gpu_power")),
          Long.MIN_VALUE, Long.MAX_VALUE);
      assertThat(all).hasSize(WRITERS * SERIES_PER_WRITER);
      for (RawSeries series : all) {
        assertThat(series.timestamps()).hasSize(SECONDS);
        int writerId = Integer.parseInt(series.labels().get("writer"));
        int seriesId = Integer.parseInt(series.labels().get("series"));
        for (int s = 0; s < SECONDS; s++) {
          assertThat(series.timestamps()[s]).isEqualTo(T0 + s * 1000L);
          assertThat(series.values()[s]).isEqualTo(value(writerId, seriesId, s));
        }
      }
    }
  }

  @Test
  void onlySamplesAppendedIntoSettledTimeMoveTheChangeGeneration(@TempDir Path dir) throws Exception {
    try (Storage storage = Storage.open(dir, StorageConfig.defaults())) {
      SampleWriter writer = new SampleWriter(storage, new IngestStats(new PrometheusRegistry()),
          new StreamingAggregator(List.of()));
      SampleBatch batch = new SampleBatch();
      writer.write("test", batch, b -> fill(writer, b, 0, 10));
      long generation = storage.changes().settle(T0 + 10_000);
      writer.write("test", batch, b -> fill(writer, b, 0, 11)); // newer than settled
      writer.write("test", batch, b -> fill(writer, b, 0, 5)); // older, but every sample dropped as out of order
      assertThat(storage.changes().generation()).isEqualTo(generation);

      writer.write("test", batch, b -> fill(writer, b, 1, 3)); // a new series reaching into settled time
      assertThat(storage.changes().generation()).isGreaterThan(generation);
    }
  }

  /**
   * A sample too old for raw may still change a tier window: cached answers reaching back to it must be voided,
   * as for any late sample.
   */
  @Test
  void aSampleTooOldForRawStillMovesTheChangeGeneration(@TempDir Path dir) throws Exception {
    StorageConfig config = StorageConfig.builder()
        .blockDuration(io.acceltel.aggregator.storage.Resolution.RAW, java.time.Duration.ofMinutes(10)).build();
    try (Storage storage = Storage.open(dir, config)) {
      SampleWriter writer = new SampleWriter(storage, new IngestStats(new PrometheusRegistry()),
          new StreamingAggregator(List.of()));
      SampleBatch batch = new SampleBatch();
      for (int second = 0; second < 3600; second++) {
        int s = second;
        writer.write("test", batch, b -> fill(writer, b, 0, s));
      }
      storage.checkpoint(Map.of()); // raw blocks cut up to about 40 minutes in
      long generation = storage.changes().settle(T0 + 3_600_000L);
      SampleWriter.AppendOutcome late = writer.write("test", batch, b -> fill(writer, b, 1, 60));
      assertThat(late.dropped()).as("too old for raw").isEqualTo(SERIES_PER_WRITER);
      assertThat(storage.changes().generation()).isGreaterThan(generation);
    }
  }

  /**
   * Two writers each close a window of a streaming rule. The one that closed the earlier window is held after
   * closing it: the later window must not be appended first, or storage drops the earlier one as out of order.
   */
  @Test
  void windowsClosedByConcurrentWritersAreAllStored(@TempDir Path dir) throws Exception {
    AggregationRule sum = new AggregationRule("job:power:sum10s", "gpu_power", AggregationRule.Op.SUM,
        List.of("writer"), Duration.ofSeconds(10));
    try (Storage storage = Storage.open(dir, StorageConfig.defaults())) {
      SampleWriter writer = new SampleWriter(storage, new IngestStats(new PrometheusRegistry()),
          new StreamingAggregator(List.of(sum)));
      SampleBatch batch = new SampleBatch();
      for (int s = 0; s < 20; s++) { // a window closes once samples a full interval past its end arrive
        int second = s;
        writer.write("test", batch, b -> fill(writer, b, 0, second));
      }
      AtomicReference<Thread> later = new AtomicReference<>();
      CountDownLatch held = new CountDownLatch(1);
      Thread earlier = new Thread(() -> {
        try {
          writer.write("test", new SampleBatch(), b -> fill(writer, b, 0, 20)); // closes [0s, 10s)
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      writer.beforeAppendingWindows(() -> {
        if (Thread.currentThread() != earlier) {
          return;
        }
        held.countDown();
        // Held until the later writer is done, or waits for this one: either way it went as far as it could. The
        // deadline only keeps a broken build from hanging: the assertions below then fail.
        long deadline = System.nanoTime() + 10_000_000_000L;
        Thread other;
        while (((other = later.get()) == null || other.getState() == Thread.State.NEW
            || other.getState() == Thread.State.RUNNABLE) && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
      });
      earlier.start();
      assertThat(held.await(10, TimeUnit.SECONDS)).as("the earlier writer closed its window").isTrue();
      Thread second = new Thread(() -> {
        try {
          SampleBatch own = new SampleBatch();
          for (int s = 21; s <= 30; s++) { // 30 closes [10s, 20s)
            int at = s;
            writer.write("test", own, b -> fill(writer, b, 0, at));
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      later.set(second);
      second.start();
      earlier.join(10_000);
      second.join(10_000);
      assertThat(earlier.isAlive() || second.isAlive()).as("both writers finished").isFalse();

      List<RawSeries> windows = storage.querier().selectRaw(
          List.of(LabelMatcher.equal("__name__", "job:power:sum10s")), Long.MIN_VALUE, Long.MAX_VALUE);
      assertThat(windows).hasSize(1);
      assertThat(windows.get(0).timestamps()).containsExactly(T0 + 10_000, T0 + 20_000);
    }
  }

  private static void fill(SampleWriter writer, SampleBatch batch, int writerId, int second) {
    for (int i = 0; i < SERIES_PER_WRITER; i++) {
      int ref = writer.resolver().ref(Labels.of("__name__", "gpu_power", "writer", Integer.toString(writerId),
          "series", Integer.toString(i)));
      batch.append(ref, T0 + second * 1000L, value(writerId, i, second));
    }
  }

  private static double value(int writerId, int seriesId, int second) {
    return writerId * 1_000_000 + seriesId * 1000 + second;
  }
}
