package io.acceltel.exporter.concurrent;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * The exporter's background threads: named, so a thread dump says which part of the exporter each is, and daemons,
 * so none of them keeps the JVM alive after the shutdown hook has stopped what must be stopped in order.
 *
 * <pre>{@code
 * ScheduledExecutorService retries = DaemonThreads.scheduler("acceltel-left-out-retry");
 * ExecutorService lane = Executors.newSingleThreadExecutor(DaemonThreads.named("acceltel-device-0"));
 * }</pre>
 */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** A scheduler on one daemon thread called {@code name}. */
  public static ScheduledExecutorService scheduler(String name) {
    return Executors.newSingleThreadScheduledExecutor(named(name));
  }

  /** A factory of daemon threads all called {@code name}. */
  public static ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
