package io.acceltel.exporter.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.collect.CollectionLoop;
import io.acceltel.exporter.device.BackendContext.SimulatedSettings;
import io.acceltel.exporter.simulated.SimulatedBackend;
import io.acceltel.model.otlp.OtlpEncoder;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TickBufferTest {
  private static byte[] tickOf8Gpus() {
    try (SimulatedBackend backend = new SimulatedBackend(new SimulatedSettings(8, "NVIDIA H100 80GB HBM3", 5));
        CollectionLoop loop = CollectionLoop.builder("n", backend.devices()).build()) {
      return new OtlpEncoder("t").encode(loop.tick(1_795_349_049_000L));
    }
  }

  /** A tick of 40,000 bytes of OTLP, all of one size when compressed. */
  private static TickBuffer.Tick large(long timestampMillis) {
    return TickBuffer.Tick.of("n", timestampMillis, new byte[40_000]);
  }

  /** Ten minutes of held ticks must fit the exporter's 64 MB heap, so ticks wait compressed. */
  @Test
  void heldTicksAreSmallAndComeBackExactly() {
    byte[] payload = tickOf8Gpus();
    TickBuffer.Tick tick = TickBuffer.Tick.of("n", 1L, payload);
    assertThat(tick.compressed().length).isLessThan(payload.length / 10);
    assertThat(600L * tick.compressed().length).as("600 held ticks").isLessThan(16L << 20);
    assertThat(tick.payload()).isEqualTo(payload);
  }

  @Test
  void dropsTheOldestWaitingTickButNeverTheOneInFlight() throws Exception {
    TickBuffer buffer = new TickBuffer(2);
    buffer.offer(TickBuffer.Tick.of("n", 1, new byte[] {1}));
    assertThat(buffer.takeForSending(0).timestampMillis()).isEqualTo(1);
    buffer.offer(TickBuffer.Tick.of("n", 2, new byte[] {2}));
    assertThat(buffer.offer(TickBuffer.Tick.of("n", 3, new byte[] {3}))).isEqualTo(1);
    assertThat(buffer.dropped()).isEqualTo(1);
    assertThat(buffer.takeForSending(0).timestampMillis()).as("still the one in flight").isEqualTo(1);
    buffer.acknowledged();
    assertThat(buffer.takeForSending(0).timestampMillis()).as("tick 2 was dropped, 3 kept").isEqualTo(3);
  }

  /**
   * Ticks of a big node can be far larger than the 8 KB of 8 GPUs: a count bound alone let a long outage fill the
   * exporter's heap. Past the byte bound the oldest waiting tick is dropped (or spooled), as past the count.
   */
  @Test
  void theTicksWaitingInMemoryAreBoundedInBytesAsWellAsInCount() throws Exception {
    long size = large(0).size();
    TickBuffer buffer = new TickBuffer(1000, 3 * size, null);
    for (int t = 1; t <= 10; t++) {
      buffer.offer(large(t));
    }
    assertThat(buffer.memoryTicks()).isEqualTo(3);
    assertThat(buffer.dropped()).isEqualTo(7);
    assertThat(buffer.takeForSending(0).timestampMillis()).as("the newest were kept").isEqualTo(8);
  }

  /**
   * Without a spool, a backlog in memory drains many ticks per broker round trip (one per round trip took 15 s for
   * ten minutes of ticks over a 20 ms link), and half the capacity keeps taking new ticks while a batch is out.
   */
  @Test
  void withoutASpoolABacklogInMemoryIsSentInBatches() throws Exception {
    TickBuffer buffer = new TickBuffer(20);
    for (int t = 1; t <= 20; t++) {
      buffer.offer(TickBuffer.Tick.of("n", t, new byte[] {(byte) t}));
    }
    List<TickBuffer.Tick> batch = buffer.takeBatchForSending(16, 0);
    assertThat(batch).extracting(TickBuffer.Tick::timestampMillis)
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    assertThat(buffer.takeBatchForSending(16, 0)).as("in flight until acknowledged").isEqualTo(batch);
    assertThat(buffer.offer(TickBuffer.Tick.of("n", 21, new byte[] {21}))).as("the oldest waiting one").isEqualTo(1);
    buffer.acknowledged();
    assertThat(buffer.takeBatchForSending(16, 0)).extracting(TickBuffer.Tick::timestampMillis)
        .containsExactly(12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L, 21L);
    assertThat(buffer.size()).isEqualTo(10);
  }

  /** A batch in flight from memory counts against the byte bound too, and takes at most half of it. */
  @Test
  void aBatchInFlightFromMemoryCountsAgainstTheByteBound() throws Exception {
    long size = large(0).size();
    TickBuffer buffer = new TickBuffer(1000, 4 * size, null);
    for (int t = 1; t <= 4; t++) {
      buffer.offer(large(t));
    }
    assertThat(buffer.takeBatchForSending(16, 0)).as("half the bytes").hasSize(2);
    assertThat(buffer.offer(large(5))).as("the two in flight count")
        .isEqualTo(1);
    assertThat(buffer.memoryTicks()).isEqualTo(4);
  }

  @Test
  void theLagIsTheAgeOfTheOldestTickNotAcknowledged() throws Exception {
    TickBuffer buffer = new TickBuffer(3);
    assertThat(buffer.stats().lagSeconds(5_000)).as("nothing held, nothing behind").isZero();
    buffer.offer(TickBuffer.Tick.of("n", 1_000, new byte[] {1}));
    buffer.offer(TickBuffer.Tick.of("n", 2_000, new byte[] {2}));
    assertThat(buffer.stats().lagSeconds(6_500)).isEqualTo(5.5);
    buffer.takeForSending(0);
    assertThat(buffer.stats().oldestUnacknowledgedMillis()).as("in flight").isEqualTo(1_000);
    buffer.acknowledged();
    assertThat(buffer.stats().oldestUnacknowledgedMillis()).isEqualTo(2_000);
    assertThat(buffer.stats().memoryTicks()).isEqualTo(1);
    buffer.takeForSending(0);
    buffer.acknowledged();
    assertThat(buffer.stats().lagSeconds(6_500)).isZero();
  }

  /** A spool write (a segment roll syncs to disk) holds the lock; a scrape reading the gauges must not wait. */
  @Test
  void theStatsAreReadWithoutWaitingForTheLock() throws Exception {
    TickBuffer buffer = new TickBuffer(2);
    buffer.offer(TickBuffer.Tick.of("n", 1, new byte[] {1}));
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread holder = new Thread(() -> {
      synchronized (buffer) {
        held.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    holder.start();
    held.await();
    try {
      CompletableFuture<TickBuffer.Stats> read = CompletableFuture.supplyAsync(buffer::stats);
      assertThat(read.get(30, TimeUnit.SECONDS).memoryTicks()).isEqualTo(1);
    } finally {
      release.countDown();
      holder.join();
    }
  }
}
