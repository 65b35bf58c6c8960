package io.acceltel.exporter.collect;

import io.acceltel.exporter.concurrent.DaemonThreads;
import io.acceltel.exporter.device.DeviceBackend;
import io.acceltel.exporter.device.DeviceReader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tries again, on its own thread, to open the devices the backend could not open at start, and hands those that
 * open to the collection loop. Without it a GPU that was mid-reset while the exporter started would stay without
 * series, and its node unhealthy, until the next restart. It stops once nothing is left out.
 *
 * <pre>{@code
 * LeftOutRetry retry = LeftOutRetry.start(backend, loop, LeftOutRetry.EVERY, health::devicesLeftOut);
 * }</pre>
 */
public final class LeftOutRetry implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LeftOutRetry.class.getName());
  /** Often enough that a recovered GPU is back within a minute; a failing open costs a few driver calls. */
  public static final Duration EVERY = Duration.ofSeconds(30);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

  private final DeviceBackend backend;
  private final CollectionLoop loop;
  private final IntConsumer leftOutChanged;
  /** Null when nothing was left out at start. */
  private final ScheduledExecutorService retries;
  /** Retry thread only. */
  private int lastLeftOut;
  private volatile boolean quiesced = true;

  private LeftOutRetry(DeviceBackend backend, CollectionLoop loop, IntConsumer leftOutChanged, boolean needed) {
    this.backend = backend;
    this.loop = loop;
    this.leftOutChanged = leftOutChanged;
    this.lastLeftOut = backend.devicesLeftOut();
    this.retries = needed ? DaemonThreads.scheduler("acceltel-left-out-retry") : null;
  }

  /**
   * Starts trying every {@code every} when the backend left devices out; otherwise does nothing.
   *
   * @param leftOutChanged gets the backend's new count of devices left out whenever it changes
   */
  public static LeftOutRetry start(DeviceBackend backend, CollectionLoop loop, Duration every,
      IntConsumer leftOutChanged) {
    LeftOutRetry retry = new LeftOutRetry(backend, loop, leftOutChanged, backend.devicesLeftOut() > 0);
    if (retry.retries != null) {
      long millis = every.toMillis();
      retry.retries.scheduleWithFixedDelay(retry::retryOnce, millis, millis, TimeUnit.MILLISECONDS);
    }
    return retry;
  }

  private void retryOnce() {
    try {
      List<DeviceReader> opened = backend.reopenLeftOut();
      loop.addDevices(opened);
      int leftOut = backend.devicesLeftOut();
      if (leftOut != lastLeftOut) {
        lastLeftOut = leftOut;
        leftOutChanged.accept(leftOut);
      }
      if (leftOut == 0) {
        retries.shutdown();
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "opening the devices left out at start failed; trying again in a while", e);
    }
  }

  /** Stops retrying, waiting (a little) for a retry inside the driver. */
  @Override
  public void close() {
    if (retries == null) {
      return;
    }
    retries.shutdownNow();
    quiesced = CollectionLoop.awaitTermination(retries, System.nanoTime() + CLOSE_WAIT.toNanos());
  }

  /** After {@link #close()}: true when no retry is still inside the driver, so the backend may close. */
  public boolean quiesced() {
    return quiesced;
  }
}
