package io.acceltel.exporter.collect;

import io.acceltel.exporter.concurrent.DaemonThreads;
import io.acceltel.exporter.device.DeviceLostException;
import io.acceltel.exporter.device.DeviceReader;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.Reading;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One device's own threads: a foreground thread for the per-tick read and a background thread for the expensive
 * reads. A device that hangs blocks only its own lane; the loop sees the lane still busy at the next tick and reports
 * the device as lost instead of waiting.
 */
final class DeviceLane implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(DeviceLane.class.getName());
  /**
   * Background readings are repeated for at most this many ticks after their read completed, then left out: a hung
   * energy call must show as a gap, not as a flat counter under fresh timestamps.
   */
  static final int BACKGROUND_STALE_TICKS = 5;
  /**
   * Ticks in a row a read may miss its deadline, or fail with an unexpected error, before the device is reported
   * lost.
   */
  static final int LOST_AFTER_OVERRUNS = 3;

  private final DeviceReader reader;
  private final ExecutorService foreground;
  private final ExecutorService backgroundThread;
  private final AtomicBoolean backgroundBusy = new AtomicBoolean();
  /** Readings of the last completed background read; replaced whole, so a tick never sees a half-written list. */
  private volatile List<Reading> backgroundReadings = List.of();
  /** Ticks since the last background read completed, whether or not their foreground read did. */
  private final AtomicInteger ticksSinceBackground = new AtomicInteger();
  private volatile boolean lost;
  /**
   * Times the reader recovered after the driver reported the device lost. Only the foreground thread writes it (the
   * tick thread reads it for a lost tick); overruns and unexpected exceptions do not set {@link #lost}, so they
   * never count.
   */
  private volatile long recoveries;
  /**
   * Consecutive ticks without a good read in time, whether the read missed the deadline or failed with an
   * unexpected error: one count, so that a device alternating the two is still lost after
   * {@link #LOST_AFTER_OVERRUNS}. Only a good read in time resets it; a late one that succeeds does not. Tick
   * thread only.
   */
  private int unreadInARow;
  /** Consecutive reads that failed with an unexpected error, for logging the first. Foreground thread only. */
  private int failuresInARow;
  private CompletableFuture<DeviceSnapshot> inFlight = CompletableFuture.completedFuture(null);
  private final AtomicBoolean samplingDone = new AtomicBoolean(true);

  DeviceLane(DeviceReader reader) {
    this.reader = reader;
    String name = "acceltel-device-" + reader.identity().index();
    this.foreground = Executors.newSingleThreadExecutor(DaemonThreads.named(name));
    this.backgroundThread = Executors.newSingleThreadExecutor(DaemonThreads.named(name + "-slow"));
  }

  DeviceReader reader() {
    return reader;
  }

  /**
   * Starts this tick's read, or returns null when the previous read has not finished: the caller then reports an
   * overrun and the device as lost for this tick.
   */
  CompletableFuture<DeviceSnapshot> startRead(long tickMillis) {
    // Every tick ages the background readings, also one whose read could not start (the last one hangs): they are
    // as old as the ticks since their read, not as the reads.
    ticksSinceBackground.incrementAndGet();
    if (!inFlight.isDone()) {
      return null;
    }
    try {
      inFlight = CompletableFuture.supplyAsync(() -> readOnce(tickMillis), foreground);
    } catch (RejectedExecutionException e) {
      // Closed under a tick in progress: the loop does not publish that tick, so "lost" reaches nobody.
      return CompletableFuture.completedFuture(lostSnapshot());
    }
    startBackgroundRead();
    return inFlight;
  }

  /**
   * Queues a between-ticks sampling on the read's thread, unless a read or a sampling is still running there (a
   * device that hangs must not pile them up) or the device is lost.
   */
  void sampleBetweenTicks() {
    if (lost || !inFlight.isDone() || !samplingDone.compareAndSet(true, false)) {
      return;
    }
    try {
      foreground.execute(() -> {
        try {
          reader.sampleBetweenTicks();
        } catch (DeviceLostException | RuntimeException | LinkageError e) {
          // The next tick's read meets the same condition, and reports it.
          LOG.log(Level.FINE, "sampling device " + reader.identity().index() + " between ticks failed", e);
        } finally {
          samplingDone.set(true);
        }
      });
    } catch (RejectedExecutionException e) {
      samplingDone.set(true); // closed meanwhile
    }
  }

  private DeviceSnapshot readOnce(long tickMillis) {
    DeviceSnapshot.Builder out = DeviceSnapshot.builder(reader.identity());
    if (lost && !reader.recover()) {
      return lostSnapshot();
    }
    boolean recovering = lost;
    lost = false;
    try {
      reader.read(tickMillis, out);
      if (recovering) {
        // Counted once a whole read succeeded, not when the handle came back: a device that flaps is not reset
        // each time it answers one call.
        recoveries++;
        LOG.info(() -> "device " + reader.identity().index() + " (" + reader.identity().uuid() + ") answers again");
      }
    } catch (DeviceLostException e) {
      markLost(e.getMessage());
      return lostSnapshot();
    } catch (RuntimeException | LinkageError e) {
      // A bug or an unexpected native failure in one device must not stop the loop. Once is no verdict on the
      // device (health would say "reboot the node" for a parse error): unread, as for a missed deadline, and lost
      // only when it keeps failing.
      if (failuresInARow++ == 0) {
        LOG.log(Level.WARNING, "reading device " + reader.identity().index() + " failed; it is reported unread, "
            + "and lost if " + (LOST_AFTER_OVERRUNS - 1) + " more reads in a row fail", e);
      }
      if (recovering) {
        lost = true; // still on its way back: the next tick recovers it again and counts it then
        return lostSnapshot();
      }
      return DeviceSnapshot.unread(reader.identity()); // the tick counts it (answered)
    }
    failuresInARow = 0;
    List<Reading> slow = backgroundReadings;
    if (ticksSinceBackground.get() <= BACKGROUND_STALE_TICKS) {
      for (Reading r : slow) {
        out.add(r);
      }
    }
    out.set(MetricCatalog.DEVICE_LOST, 0);
    out.set(MetricCatalog.DEVICE_RECOVERIES, recoveries);
    return out.build();
  }

  /**
   * Starts a background read unless one is running or the device is lost. The loop calls it once when it is built,
   * so that the slow readings (the energy counter) are normally in the very first tick after a start, not only in
   * the second.
   */
  void startBackgroundRead() {
    if (lost || !backgroundBusy.compareAndSet(false, true)) {
      return;
    }
    try {
      backgroundThread.execute(this::readBackground);
    } catch (RejectedExecutionException e) {
      backgroundBusy.set(false); // closed meanwhile: nothing more to read
    }
  }

  private void readBackground() {
    try {
      List<Reading> readings = new ArrayList<>();
      reader.readBackground(readings::add);
      backgroundReadings = List.copyOf(readings);
      ticksSinceBackground.set(0);
    } catch (DeviceLostException e) {
      markLost(e.getMessage());
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "background read of device " + reader.identity().index() + " failed", e);
    } finally {
      backgroundBusy.set(false);
    }
  }

  private void markLost(String why) {
    if (!lost) {
      LOG.warning(() -> "device " + reader.identity().index() + " (" + reader.identity().uuid() + ") is lost: " + why);
    }
    lost = true;
    backgroundReadings = List.of();
  }

  /**
   * What a tick reports for a read that missed its deadline (or has not returned since): unread for the first
   * {@link #LOST_AFTER_OVERRUNS} - 1 ticks in a row without a good read, as a GC pause or a busy driver can delay
   * one read, then lost. Tick thread only.
   */
  DeviceSnapshot overrun() {
    return answered(DeviceSnapshot.unread(reader.identity()));
  }

  /**
   * What a tick reports for the answer its read gave in time: a good read ends the count of ticks without one; a
   * failed one (unread) counts as one, and the {@link #LOST_AFTER_OVERRUNS}th in a row reports the device lost.
   * Tick thread only.
   */
  DeviceSnapshot answered(DeviceSnapshot answer) {
    if (answer.unread()) {
      return ++unreadInARow >= LOST_AFTER_OVERRUNS ? lostSnapshot() : answer;
    }
    if (!answer.lost()) {
      unreadInARow = 0;
    }
    return answer;
  }

  /**
   * What a tick reports for a device that did not answer: that it is lost, and what is still known without asking
   * it (its recoveries so far, the XIDs seen), so that no counter vanishes for the loss.
   */
  DeviceSnapshot lostSnapshot() {
    DeviceSnapshot.Builder out = DeviceSnapshot.builder(reader.identity()).lost(true);
    try {
      reader.readWhileLost(out);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "what is known of lost device " + reader.identity().index() + " could not be read", e);
    }
    out.set(MetricCatalog.DEVICE_LOST, 1);
    out.set(MetricCatalog.DEVICE_RECOVERIES, recoveries);
    return out.build();
  }

  @Override
  public void close() {
    foreground.shutdownNow();
    backgroundThread.shutdownNow();
  }

  /** After {@link #close()}: waits until both threads ended, or the deadline passed; true if they ended. */
  boolean awaitTermination(long deadlineNanos) {
    return CollectionLoop.awaitTermination(foreground, deadlineNanos)
        && CollectionLoop.awaitTermination(backgroundThread, deadlineNanos);
  }
}
