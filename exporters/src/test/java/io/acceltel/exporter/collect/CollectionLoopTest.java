package io.acceltel.exporter.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.device.BackendContext.SimulatedSettings;
import io.acceltel.exporter.device.DeviceLostException;
import io.acceltel.exporter.device.DeviceReader;
import io.acceltel.exporter.simulated.SimulatedBackend;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.acceltel.model.snapshot.Reading;
import io.acceltel.model.snapshot.ReadingSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.acceltel.model.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CollectionLoopTest {
  private final SimulatedBackend backend = new SimulatedBackend(new SimulatedSettings(4, "NVIDIA H100 80GB HBM3", 7));
  private final List<NodeSnapshot> published = new CopyOnWriteArrayList<>();
  private final AtomicInteger overruns = new AtomicInteger();
  private CollectionLoop loop;

  private CollectionLoop loop(Duration interval) {
    loop = CollectionLoop.builder("node-a", backend.devices())
        .interval(interval)
        .listener(published::add)
        .metrics(new LoopMetrics() {
          @Override
          public void tickCompleted(long tickMillis, double durationSeconds) {}

          @Override
          public void readOverrun(int deviceIndex) {
            overruns.incrementAndGet();
          }
        })
        .build();
    return loop;
  }

  @AfterEach
  void close() {
    loop.close();
    backend.close();
  }

  private static double value(DeviceSnapshot device, io.acceltel.model.catalog.MetricDefinition metric) {
    return device.readings().stream().filter(r -> r.metric() == metric).mapToDouble(Reading::value).findFirst()
        .orElseThrow(() -> new AssertionError(metric + " missing"));
  }

  @Test
  void aTickReadsEveryDeviceIntoOneSnapshotAtTheGivenTimestamp() {
    NodeSnapshot snapshot = loop(Duration.ofSeconds(1)).tick(1_795_349_049_000L);
    assertThat(snapshot.node()).isEqualTo("node-a");
    assertThat(snapshot.timestampMillis()).isEqualTo(1_795_349_049_000L);
    assertThat(snapshot.devices()).hasSize(4).allSatisfy(d -> {
      assertThat(d.lost()).isFalse();
      assertThat(value(d, MetricCatalog.DEVICE_LOST)).isZero();
      assertThat(d.readings()).extracting(Reading::metric).contains(MetricCatalog.POWER, MetricCatalog.UTILIZATION);
    });
    assertThat(published).containsExactly(snapshot);
  }

  @Test
  void aLostDeviceIsReportedWhileTheOthersKeepTickingAndItRecovers() {
    CollectionLoop l = loop(Duration.ofSeconds(1));
    backend.injectXid(2, 79);
    backend.loseDevice(2, true);
    NodeSnapshot during = l.tick(1_000_000L);
    assertThat(during.devices().get(2).lost()).isTrue();
    assertThat(value(during.devices().get(2), MetricCatalog.DEVICE_LOST)).isEqualTo(1);
    // Only what is known without asking the device: the XID that took it down stays visible, no counter vanishes.
    assertThat(during.devices().get(2).readings()).extracting(Reading::metric).containsOnly(
        MetricCatalog.DEVICE_LOST, MetricCatalog.DEVICE_RECOVERIES, MetricCatalog.XID_ERRORS, MetricCatalog.LAST_XID);
    assertThat(value(during.devices().get(2), MetricCatalog.XID_ERRORS)).isEqualTo(1);
    assertThat(value(during.devices().get(2), MetricCatalog.LAST_XID)).isEqualTo(79);
    for (int i : new int[] {0, 1, 3}) {
      assertThat(during.devices().get(i).lost()).isFalse();
      assertThat(value(during.devices().get(i), MetricCatalog.POWER)).isPositive();
    }
    backend.loseDevice(2, false);
    NodeSnapshot after = l.tick(1_001_000L);
    assertThat(after.devices().get(2).lost()).isFalse();
    assertThat(value(after.devices().get(2), MetricCatalog.POWER)).isPositive();
  }

  @Test
  void backgroundReadingsReachLaterTicks() {
    CollectionLoop l = loop(Duration.ofSeconds(1));
    List<NodeSnapshot> ticks = new ArrayList<>();
    long t = 2_000_000L;
    ticks.add(l.tick(t));
    // The energy counter is read in the background; it appears in a tick once a background read completed.
    Await.until("energy in a tick", Duration.ofSeconds(5), () -> {
      NodeSnapshot s = l.tick(t + 1000L * ticks.size());
      ticks.add(s);
      return s.devices().get(0).readings().stream().anyMatch(r -> r.metric() == MetricCatalog.ENERGY);
    });
  }

  /** A background read that hangs (an energy call stuck in the driver) leaves a gap, not a flat counter. */
  @Test
  void readingsOfABackgroundReadThatHangsAreLeftOutOnceStale() throws Exception {
    DeviceReader simulated = backend.devices().get(0);
    AtomicInteger backgroundCalls = new AtomicInteger();
    CountDownLatch hanging = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    DeviceReader stuck = around(simulated, () -> { }, () -> {
      if (backgroundCalls.incrementAndGet() > 1) { // the first read answers, every later one hangs a while
        hanging.countDown();
        awaitQuietly(release);
      }
    });
    loop = CollectionLoop.builder("node-a", List.of(stuck)).build();
    long[] t = {5_000_000L};
    Await.until("energy in a tick", Duration.ofSeconds(5), () -> hasEnergy(loop.tick(t[0] += 1000)));
    Await.until("the next background read hangs", Duration.ofSeconds(5), () -> {
      loop.tick(t[0] += 1000);
      return hanging.getCount() == 0;
    });
    for (int i = 0; i < DeviceLane.BACKGROUND_STALE_TICKS; i++) {
      loop.tick(t[0] += 1000);
    }
    assertThat(hasEnergy(loop.tick(t[0] += 1000))).as("stale readings are left out").isFalse();

    release.countDown();
    Await.until("energy back once a read returns", Duration.ofSeconds(5), () -> hasEnergy(loop.tick(t[0] += 1000)));
  }

  /**
   * A device whose reads alternately fail and come too late never gave a good read in time: the third tick in a
   * row without one reports it lost, whichever way each went (the two counts used to reset each other).
   */
  @Test
  void readsThatFailAndReadsThatComeLateCountTogetherTowardsALoss() {
    DeviceReader simulated = backend.devices().get(0);
    AtomicInteger reads = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    DeviceReader flaky = new DeviceReader() {
      @Override
      public DeviceIdentity identity() {
        return simulated.identity();
      }

      @Override
      public void read(long tickMillis, ReadingSink sink) throws DeviceLostException {
        try {
          if (reads.incrementAndGet() % 2 == 1) {
            throw new IllegalStateException("fails on time");
          }
          Thread.sleep(250); // past the 160 ms deadline of a 200 ms interval, then answers
          simulated.read(tickMillis, sink);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          finished.incrementAndGet();
        }
      }

      @Override
      public void readBackground(ReadingSink sink) throws DeviceLostException {
        simulated.readBackground(sink);
      }
    };
    loop = CollectionLoop.builder("node-a", List.of(flaky)).interval(Duration.ofMillis(200)).build();
    long t = 7_000_000L;
    List<DeviceSnapshot> ticks = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      ticks.add(loop.tick(t += 200).devices().get(0));
      int started = i;
      // The late read finishes before the next tick, so each tick starts a read of its own: fail, late, fail, late.
      Await.until("read " + started + " finished", Duration.ofSeconds(5), () -> finished.get() >= started);
    }
    assertThat(ticks).extracting(DeviceSnapshot::unread).as("failed, late").startsWith(true, true);
    assertThat(ticks.get(2).lost()).as("the third tick in a row without a good read").isTrue();
  }

  /**
   * Staleness counts ticks, not reads: after a foreground read that hung for many ticks returns, the background
   * readings from before the hang are as old as those ticks, and must not come back under a fresh timestamp (a
   * flat energy counter followed by a jump of many minutes in one interval).
   */
  @Test
  void backgroundReadingsFromBeforeAHungReadAreNotPublishedAfterIt() throws Exception {
    DeviceReader simulated = backend.devices().get(0);
    AtomicInteger reads = new AtomicInteger();
    AtomicInteger backgroundCalls = new AtomicInteger();
    CountDownLatch releaseRead = new CountDownLatch(1);
    CountDownLatch releaseBackground = new CountDownLatch(1);
    DeviceReader hanging = around(simulated, () -> {
      if (reads.incrementAndGet() == 3) {
        awaitQuietly(releaseRead);
      }
    }, () -> {
      if (backgroundCalls.incrementAndGet() > 1) {
        awaitQuietly(releaseBackground);
      }
    });
    loop = CollectionLoop.builder("node-a", List.of(hanging)).interval(Duration.ofMillis(200)).build();
    long[] t = {6_000_000L};
    Await.until("energy in a tick", Duration.ofSeconds(5), () -> hasEnergy(loop.tick(t[0] += 200)));
    Await.until("the third read hangs", Duration.ofSeconds(5), () -> {
      loop.tick(t[0] += 200);
      return reads.get() >= 3;
    });
    for (int i = 0; i <= DeviceLane.BACKGROUND_STALE_TICKS; i++) {
      DeviceSnapshot during = loop.tick(t[0] += 200).devices().get(0);
      assertThat(during.unread() || during.lost()).as("no answer while the read hangs").isTrue();
    }
    int before = reads.get();
    releaseRead.countDown();
    try {
      Await.until("a read in time again", Duration.ofSeconds(5), () -> {
        NodeSnapshot tick = loop.tick(t[0] += 200);
        if (reads.get() <= before) {
          return false; // the hung read's own result is thrown away
        }
        DeviceSnapshot after = tick.devices().get(0);
        if (after.readings().isEmpty()) {
          return false;
        }
        assertThat(hasEnergy(tick)).as("the energy read before the hang is stale").isFalse();
        return true;
      });
    } finally {
      releaseBackground.countDown();
    }
  }

  /**
   * A device the driver reported lost and that answers again was reset: that is counted, so that health can tell it
   * from a device that only failed one read for another reason.
   */
  @Test
  void aRecoveryFromADriverDeclaredLossIsCountedAndOtherFailuresAreNot() {
    java.util.concurrent.atomic.AtomicBoolean gone = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicBoolean flapping = new java.util.concurrent.atomic.AtomicBoolean();
    DeviceReader device = backend.devices().get(0);
    DeviceReader flaky = new DeviceReader() {
      @Override
      public DeviceIdentity identity() {
        return device.identity();
      }

      @Override
      public void read(long tickMillis, ReadingSink sink) throws DeviceLostException {
        if (gone.get() || flapping.get()) {
          throw new DeviceLostException("GPU_IS_LOST");
        }
        if (broken.get()) {
          throw new IllegalStateException("a bug");
        }
        device.read(tickMillis, sink);
      }

      @Override
      public boolean recover() {
        return !gone.get();
      }
    };
    loop = CollectionLoop.builder("node-a", List.of(flaky)).interval(Duration.ofSeconds(1)).build();
    long t = 1_000_000_000L;
    assertThat(value(loop.tick(t += 1000).devices().get(0), MetricCatalog.DEVICE_RECOVERIES)).isZero();
    broken.set(true);
    DeviceSnapshot once = loop.tick(t += 1000).devices().get(0);
    assertThat(once.lost()).as("one unexpected exception is no loss").isFalse();
    assertThat(once.unread()).isTrue();
    assertThat(loop.tick(t += 1000).devices().get(0).lost()).isFalse();
    assertThat(loop.tick(t += 1000).devices().get(0).lost()).as("the third failure in a row").isTrue();
    broken.set(false);
    assertThat(value(loop.tick(t += 1000).devices().get(0), MetricCatalog.DEVICE_RECOVERIES))
        .as("an unexpected exception is no loss the driver declared").isZero();
    gone.set(true);
    assertThat(loop.tick(t += 1000).devices().get(0).lost()).isTrue();
    assertThat(loop.tick(t += 1000).devices().get(0).lost()).isTrue();
    gone.set(false);
    assertThat(value(loop.tick(t += 1000).devices().get(0), MetricCatalog.DEVICE_RECOVERIES)).isEqualTo(1);
    assertThat(value(loop.tick(t += 1000).devices().get(0), MetricCatalog.DEVICE_RECOVERIES)).isEqualTo(1);
    // Lost again, then a handle that comes back but reads that still fail: no recovery until a read succeeds.
    gone.set(true);
    assertThat(loop.tick(t += 1000).devices().get(0).lost()).isTrue();
    gone.set(false);
    flapping.set(true);
    for (int i = 0; i < 3; i++) {
      assertThat(loop.tick(t += 1000).devices().get(0).lost()).isTrue();
    }
    flapping.set(false);
    assertThat(value(loop.tick(t += 1000).devices().get(0), MetricCatalog.DEVICE_RECOVERIES)).isEqualTo(2);
  }

  /** A reader whose per-tick read waits in "the driver" until released; {@code interruptible} as JNA is not. */
  private static DeviceReader waitingReader(DeviceReader device, CountDownLatch entered, CountDownLatch release,
      boolean interruptible) {
    return around(device, () -> {
      entered.countDown();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (release.getCount() > 0 && System.nanoTime() < until) {
        try {
          release.await(10, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          if (interruptible) {
            throw new DeviceLostException("interrupted");
          }
        }
      }
    }, () -> { });
  }

  /** Something a wrapped reader does before the device's own read. */
  @FunctionalInterface
  private interface Step {
    void run() throws DeviceLostException;
  }

  /**
   * {@code device}, with {@code beforeRead} run ahead of each tick's read and {@code beforeBackground} ahead of each
   * slow one.
   */
  private static DeviceReader around(DeviceReader device, Step beforeRead, Step beforeBackground) {
    return around(device, beforeRead, beforeBackground, () -> {});
  }

  private static DeviceReader around(DeviceReader device, Step beforeRead, Step beforeBackground,
      Runnable betweenTicks) {
    return new DeviceReader() {
      @Override
      public DeviceIdentity identity() {
        return device.identity();
      }

      @Override
      public void read(long tickMillis, ReadingSink sink) throws DeviceLostException {
        beforeRead.run();
        device.read(tickMillis, sink);
      }

      @Override
      public void readBackground(ReadingSink sink) throws DeviceLostException {
        beforeBackground.run();
        device.readBackground(sink);
      }

      @Override
      public void sampleBetweenTicks() {
        betweenTicks.run();
      }
    };
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stopping the exporter mid-tick must not publish its devices as lost: that would page on every rollout. */
  @Test
  void aTickCutShortByCloseIsNotPublished() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    loop = CollectionLoop.builder("node-a", List.of(waitingReader(backend.devices().get(0), entered, release, true)))
        .interval(Duration.ofSeconds(10)).listener(published::add).build();
    java.util.concurrent.CompletableFuture<NodeSnapshot> tick =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> loop.tick(7_000_000L));
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    loop.close();
    assertThat(tick.get(10, TimeUnit.SECONDS).devices().get(0).lost()).as("cut short").isTrue();
    assertThat(published).as("nothing published").isEmpty();
    assertThat(loop.quiesced()).isTrue();
    release.countDown();
  }

  /**
   * A tick that starts its reads after close() (the race in which close() lands between a tick's foreground and
   * background reads, made certain) neither throws from the tick thread nor publishes anything.
   */
  @Test
  void aTickAfterCloseNeitherThrowsNorPublishes() {
    loop = CollectionLoop.builder("node-a", backend.devices()).interval(Duration.ofSeconds(10))
        .listener(published::add).build();
    loop.close();
    NodeSnapshot cut = loop.tick(8_000_000L);
    assertThat(cut.devices()).allMatch(DeviceSnapshot::lost);
    assertThat(published).isEmpty();
  }

  /** A read stuck in the driver (JNA calls ignore interrupts) keeps the backend open: see NodeExporter. */
  @Test
  void aReadStuckInTheDriverLeavesTheLoopNotQuiesced() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    loop = CollectionLoop.builder("node-a", List.of(waitingReader(backend.devices().get(0), entered, release, false)))
        .interval(Duration.ofSeconds(10)).build();
    java.util.concurrent.CompletableFuture.runAsync(() -> loop.tick(8_000_000L));
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    loop.close();
    assertThat(loop.quiesced()).isFalse();
    release.countDown();
  }

  private static boolean hasEnergy(NodeSnapshot tick) {
    return tick.devices().get(0).readings().stream().anyMatch(r -> r.metric() == MetricCatalog.ENERGY);
  }

  @Test
  void buildingTheLoopStartsTheSlowReadsBeforeTheFirstTick() throws Exception {
    DeviceReader simulated = backend.devices().get(0);
    CountDownLatch backgroundRead = new CountDownLatch(1);
    DeviceReader watched = around(simulated, () -> { }, backgroundRead::countDown);
    loop = CollectionLoop.builder("node-a", List.of(watched)).build();
    assertThat(backgroundRead.await(10, TimeUnit.SECONDS)).as("a background read without any tick").isTrue();
  }

  @Test
  void listenersGetTheTickWithoutTheExcludedMetricsAndUnfilteredListenersGetEverything() {
    List<NodeSnapshot> emitted = new ArrayList<>();
    List<NodeSnapshot> everything = new ArrayList<>();
    loop = CollectionLoop.builder("node-a", backend.devices())
        .exclusions(MetricExclusions.of(List.of("accelerator_clock_*", "accelerator_power_watts")))
        .listener(emitted::add)
        .unfilteredListener(everything::add)
        .build();
    NodeSnapshot read = loop.tick(3_000_000L);

    assertThat(everything).containsExactly(read);
    assertThat(emitted).hasSize(1);
    NodeSnapshot filtered = emitted.get(0);
    assertThat(filtered.timestampMillis()).isEqualTo(3_000_000L);
    for (int i = 0; i < read.devices().size(); i++) {
      List<String> all = read.devices().get(i).readings().stream().map(r -> r.metric().name()).toList();
      List<String> kept = filtered.devices().get(i).readings().stream().map(r -> r.metric().name()).toList();
      assertThat(all).contains("accelerator_clock_hertz", "accelerator_clock_event_active", "accelerator_power_watts");
      assertThat(kept).doesNotContain("accelerator_clock_hertz", "accelerator_clock_max_hertz",
          "accelerator_clock_event_active", "accelerator_power_watts");
      assertThat(kept).isEqualTo(all.stream().filter(name -> !name.startsWith("accelerator_clock_")
          && !name.equals("accelerator_power_watts")).toList());
    }
  }

  /** A listener whose native library does not load (zstd-jni on a noexec /tmp) must not stop the others. */
  @Test
  void aListenerThatThrowsALinkageErrorDoesNotStopTheOthersOrTheTick() {
    List<NodeSnapshot> after = new ArrayList<>();
    AtomicInteger completed = new AtomicInteger();
    loop = CollectionLoop.builder("node-a", backend.devices())
        .listener(snapshot -> {
          throw new UnsatisfiedLinkError("no zstd-jni in java.library.path");
        })
        .listener(after::add)
        .metrics(new LoopMetrics() {
          @Override
          public void tickCompleted(long tickMillis, double durationSeconds) {
            completed.incrementAndGet();
          }

          @Override
          public void readOverrun(int deviceIndex) {}
        })
        .build();
    loop.tick(4_000_000L);
    assertThat(after).hasSize(1);
    assertThat(completed).hasValue(1);
  }

  @Test
  void runsOnWallClockBoundaries() {
    CollectionLoop l = loop(Duration.ofMillis(100));
    l.start();
    Await.until("three ticks", Duration.ofSeconds(5), () -> published.size() >= 3);
    assertThat(published).allSatisfy(s -> assertThat(s.timestampMillis() % 100).isZero());
    // A tick delayed past the next boundary skips it rather than running late, so gaps are whole intervals.
    assertThat((published.get(1).timestampMillis() - published.get(0).timestampMillis()) % 100).isZero();
    assertThat(overruns).hasValue(0);
  }

  /**
   * At an interval longer than the driver's sample rings, readers are sampled between ticks on their own thread,
   * at half seconds away from the ticks; at a short interval never.
   */
  @Test
  void atALongIntervalReadersAreSampledBetweenTicksOnTheirOwnThread() {
    List<String> threads = new CopyOnWriteArrayList<>();
    List<Long> sinceTick = new CopyOnWriteArrayList<>();
    loop = CollectionLoop.builder("node-a", List.of(sampledBetweenTicks(backend.devices().get(0), () -> {
      threads.add(Thread.currentThread().getName());
      sinceTick.add(System.currentTimeMillis() % 3000);
    }))).interval(Duration.ofSeconds(3)).build();
    loop.start();
    Await.until("two samplings between ticks", Duration.ofSeconds(10), () -> threads.size() >= 2);
    assertThat(threads).allSatisfy(name -> assertThat(name).isEqualTo("acceltel-device-0"));
    assertThat(sinceTick).allSatisfy(ms -> assertThat(ms).isBetween(400L, 2600L));
    loop.close();

    AtomicInteger atOneSecond = new AtomicInteger();
    List<NodeSnapshot> ticks = new CopyOnWriteArrayList<>();
    loop = CollectionLoop.builder("node-a", List.of(sampledBetweenTicks(backend.devices().get(0),
        atOneSecond::incrementAndGet))).interval(Duration.ofSeconds(1)).listener(ticks::add).build();
    loop.start();
    Await.until("three ticks at 1 s", Duration.ofSeconds(10), () -> ticks.size() >= 3);
    assertThat(atOneSecond).as("the tick's own drain covers a second").hasValue(0);
  }

  /**
   * A device whose reads hang holds the tick for four fifths of the interval: the other devices must still be
   * sampled between ticks on time, or their averages and maxima lose what their power rings dropped meanwhile.
   */
  @Test
  void aHungDeviceDoesNotDelayTheSamplingOfTheOthers() {
    java.util.concurrent.atomic.AtomicBoolean ticked = new java.util.concurrent.atomic.AtomicBoolean();
    List<Long> sinceTick = new CopyOnWriteArrayList<>();
    DeviceReader sampled = sampledBetweenTicks(backend.devices().get(0), () -> {
      if (ticked.get()) { // from the first tick on, which is when the hung device starts holding it
        sinceTick.add(System.currentTimeMillis() % 3000);
      }
    });
    DeviceReader hung = around(backend.devices().get(1), () -> {
      try {
        Thread.sleep(2_900); // past the 2.4 s deadline of a 3 s interval, every read
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, () -> { });
    loop = CollectionLoop.builder("node-a", List.of(sampled, hung)).interval(Duration.ofSeconds(3))
        .listener(tick -> ticked.set(true)).build();
    loop.start();
    Await.until("three samplings after the first tick", Duration.ofSeconds(20), () -> sinceTick.size() >= 3);
    assertThat(sinceTick).as("the sampling a second and a half after a tick is on time, not held until the tick "
        + "gives up on the hung device").anySatisfy(ms -> assertThat(ms).isBetween(1_200L, 2_200L));
  }

  /** {@code device}, running {@code onSample} when sampled between ticks. */
  private static DeviceReader sampledBetweenTicks(DeviceReader device, Runnable onSample) {
    return around(device, () -> {}, () -> {}, onSample);
  }

  @Test
  void rejectsAnIntervalBelowTheMinimum() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> CollectionLoop.builder("n", List.of())
        .interval(Duration.ofMillis(50))).hasMessageContaining("below the minimum of 100ms");
    loop = loop(Duration.ofSeconds(1));
  }
}
