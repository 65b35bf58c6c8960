package io.acceltel.exporter.collect;

import io.acceltel.exporter.attribution.DeviceAttributor;
import io.acceltel.exporter.concurrent.DaemonThreads;
import io.acceltel.exporter.device.DeviceReader;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.NodeSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The exporter's heartbeat: once per interval, aligned to wall-clock boundaries (12:00:00.000, 12:00:01.000, ...),
 * it reads every device in parallel, waits for them until the tick's deadline, and publishes one immutable
 * {@link NodeSnapshot}. A device that misses the deadline is reported lost for that tick; the others are not
 * delayed.
 *
 * <pre>{@code
 * CollectionLoop loop = CollectionLoop.builder("node-1", backend.devices())
 *     .interval(Duration.ofSeconds(1))
 *     .listener(snapshot -> exposition.update(snapshot))
 *     .build();
 * loop.start();
 * }</pre>
 */
public final class CollectionLoop implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(CollectionLoop.class.getName());
  /** How long close() waits for reads in progress: a normal read takes milliseconds, a hung one forever. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
  public static final Duration MIN_INTERVAL = Duration.ofMillis(100);
  /**
   * At intervals longer than this, readers also sample between ticks ({@link DeviceReader#sampleBetweenTicks}),
   * every {@link #SAMPLE_BETWEEN_TICKS_EVERY}: NVML's power ring holds ~2.4 s on an H100, and a tick 5 s after the
   * last would see only its newest half.
   */
  public static final Duration SAMPLE_BETWEEN_TICKS_ABOVE = Duration.ofSeconds(2);
  static final Duration SAMPLE_BETWEEN_TICKS_EVERY = Duration.ofSeconds(1);

  private final String node;
  /** In index order; replaced whole (under this loop's lock) when a device left out at start joins. */
  private volatile List<DeviceLane> lanes;
  private final long intervalMillis;
  private final long deadlineMillis;
  private final List<Subscriber> listeners;
  private final MetricExclusions exclusions;
  private final LoopMetrics metrics;
  private final LongSupplier wallClock;
  private final DeviceAttributor attributor;
  private final ScheduledExecutorService scheduler;
  /**
   * Between-tick sampling, on its own thread: the tick's waits for a hung device's read (up to four fifths of the
   * interval) must not hold up the sampling of the others, whose power rings hold about 2.4 s. Null at intervals
   * that need no sampling between ticks.
   */
  private final ScheduledExecutorService sampler;
  private volatile boolean closing;
  private volatile boolean quiesced;

  private CollectionLoop(Builder b) {
    this.node = b.node;
    this.intervalMillis = b.interval.toMillis();
    this.lanes = b.readers.stream().map(DeviceLane::new).toList();
    lanes.forEach(DeviceLane::startBackgroundRead);
    // Leave a fifth of the interval for building and publishing the snapshot.
    this.deadlineMillis = Math.max(1, intervalMillis * 4 / 5);
    this.listeners = List.copyOf(b.listeners);
    this.exclusions = b.exclusions;
    this.metrics = b.metrics;
    this.wallClock = b.wallClock;
    this.attributor = b.attributor;
    this.scheduler = DaemonThreads.scheduler("acceltel-tick");
    this.sampler = intervalMillis > SAMPLE_BETWEEN_TICKS_ABOVE.toMillis()
        ? DaemonThreads.scheduler("acceltel-sampling") : null;
  }

  public static Builder builder(String node, List<DeviceReader> readers) {
    return new Builder(node, readers);
  }

  /** Schedules ticks at every interval boundary from now on. */
  public void start() {
    scheduleNext();
    if (sampler != null) {
      long every = SAMPLE_BETWEEN_TICKS_EVERY.toMillis();
      long now = wallClock.getAsLong();
      // Half-way between whole seconds, and never within half a second of a tick: there the tick's read drains.
      long first = Math.floorDiv(now, every) * every + every / 2;
      if (first < now) {
        first += every;
      }
      sampler.scheduleAtFixedRate(this::sampleBetweenTicks, first - now, every, TimeUnit.MILLISECONDS);
    }
  }

  private void sampleBetweenTicks() {
    long sinceTick = Math.floorMod(wallClock.getAsLong(), intervalMillis);
    long half = SAMPLE_BETWEEN_TICKS_EVERY.toMillis() / 2;
    if (closing || sinceTick < half || intervalMillis - sinceTick < half) {
      return;
    }
    try {
      lanes.forEach(DeviceLane::sampleBetweenTicks);
    } catch (RuntimeException | LinkageError e) {
      // Thrown out of a periodic task, it would cancel the task for good, silently.
      LOG.log(Level.WARNING, "sampling between ticks failed; it goes on at the next second", e);
    }
  }

  private void scheduleNext() {
    long now = wallClock.getAsLong();
    long next = (now / intervalMillis + 1) * intervalMillis;
    scheduler.schedule(() -> {
      try {
        tick(next);
      } catch (RuntimeException | LinkageError e) {
        // Thrown out of the task, it would be kept by the executor's future, which nobody reads: not even logged.
        LOG.log(Level.SEVERE, "tick failed; the loop goes on", e);
      } finally {
        if (!scheduler.isShutdown()) {
          scheduleNext();
        }
      }
    }, next - now, TimeUnit.MILLISECONDS);
  }

  /**
   * Runs one tick for the given aligned timestamp and returns everything it read, excluded metrics included. Public
   * so that tests and benchmarks can drive the loop without waiting for the clock.
   */
  public NodeSnapshot tick(long tickMillis) {
    long startNanos = System.nanoTime();
    List<DeviceLane> lanes = this.lanes;
    List<CompletableFuture<DeviceSnapshot>> reads = new ArrayList<>(lanes.size());
    for (DeviceLane lane : lanes) {
      reads.add(lane.startRead(tickMillis));
    }
    long deadline = startNanos + TimeUnit.MILLISECONDS.toNanos(deadlineMillis);
    List<DeviceSnapshot> read = new ArrayList<>(lanes.size());
    for (int i = 0; i < lanes.size(); i++) {
      read.add(await(lanes.get(i), reads.get(i), deadline));
    }
    NodeSnapshot snapshot = new NodeSnapshot(node, tickMillis, attributor.attributeTick(read));
    if (closing) {
      // Interrupted by close(): its devices read as lost because the loop stopped, not because they are. Published,
      // it would raise device-lost alerts on every rollout.
      return snapshot;
    }
    NodeSnapshot emitted = exclusions.apply(snapshot);
    for (Subscriber subscriber : listeners) {
      try {
        subscriber.listener().onSnapshot(subscriber.everyReading() ? snapshot : emitted);
      } catch (RuntimeException | LinkageError e) {
        // A native library that does not load (zstd-jni on a noexec /tmp) must not stop the other listeners.
        LOG.log(Level.WARNING, "snapshot listener failed", e);
      }
    }
    metrics.tickCompleted(tickMillis, (System.nanoTime() - startNanos) / 1e9);
    return snapshot;
  }

  private DeviceSnapshot await(DeviceLane lane, CompletableFuture<DeviceSnapshot> read, long deadlineNanos) {
    int index = lane.reader().identity().index();
    if (read == null) {
      metrics.readOverrun(index);
      return lane.overrun();
    }
    try {
      return lane.answered(read.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      metrics.readOverrun(index);
      return lane.overrun();
    } catch (ExecutionException e) {
      LOG.log(Level.WARNING, "reading device " + index + " failed", e.getCause());
      return lane.lostSnapshot();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return lane.lostSnapshot();
    }
  }

  /**
   * Reads these devices too from the next tick on: devices the backend could not open at start and opened later
   * ({@code DeviceBackend.reopenLeftOut}). Ignored once the loop is closing.
   */
  public synchronized void addDevices(List<? extends DeviceReader> readers) {
    if (closing || readers.isEmpty()) {
      return;
    }
    List<DeviceLane> joined = new ArrayList<>(lanes);
    for (DeviceReader reader : readers) {
      DeviceLane lane = new DeviceLane(reader);
      lane.startBackgroundRead();
      joined.add(lane);
    }
    joined.sort(Comparator.comparingInt(lane -> lane.reader().identity().index()));
    lanes = List.copyOf(joined);
  }

  /**
   * Stops ticking and waits (a little) for the device reads in progress. The backend must stay open while one is
   * still inside the driver: see {@link #quiesced()}.
   */
  @Override
  public void close() {
    List<DeviceLane> lanes;
    synchronized (this) {
      closing = true;
      lanes = this.lanes;
    }
    scheduler.shutdownNow();
    if (sampler != null) {
      sampler.shutdownNow();
    }
    long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
    boolean stopped = awaitTermination(scheduler, deadline) & (sampler == null || awaitTermination(sampler, deadline));
    lanes.forEach(DeviceLane::close);
    for (DeviceLane lane : lanes) {
      stopped &= lane.awaitTermination(deadline);
    }
    quiesced = stopped;
  }

  /** After {@link #close()}: true when no thread of the loop is still running (none stuck in a native call). */
  public boolean quiesced() {
    return quiesced;
  }

  static boolean awaitTermination(java.util.concurrent.ExecutorService executor, long deadlineNanos) {
    try {
      return executor.awaitTermination(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private record Subscriber(SnapshotListener listener, boolean everyReading) {}

  /** Configures a {@link CollectionLoop}. */
  public static final class Builder {
    private final String node;
    private final List<DeviceReader> readers;
    private Duration interval = Duration.ofSeconds(1);
    private final List<Subscriber> listeners = new ArrayList<>();
    private MetricExclusions exclusions = MetricExclusions.NONE;
    private LoopMetrics metrics = LoopMetrics.NOOP;
    private LongSupplier wallClock = System::currentTimeMillis;
    private DeviceAttributor attributor = DeviceAttributor.NONE;

    private Builder(String node, List<DeviceReader> readers) {
      this.node = Objects.requireNonNull(node, "node");
      this.readers = List.copyOf(readers);
    }

    public Builder interval(Duration interval) {
      if (interval.compareTo(MIN_INTERVAL) < 0) {
        throw new IllegalArgumentException("interval " + interval.toMillis() + "ms is below the minimum of 100ms");
      }
      this.interval = interval;
      return this;
    }

    /** Adds a consumer of every tick, without the {@link #exclusions excluded} metrics. */
    public Builder listener(SnapshotListener listener) {
      listeners.add(new Subscriber(Objects.requireNonNull(listener), false));
      return this;
    }

    /** Adds a consumer of every tick with every reading, excluded metrics included: device health. */
    public Builder unfilteredListener(SnapshotListener listener) {
      listeners.add(new Subscriber(Objects.requireNonNull(listener), true));
      return this;
    }

    /** The device metrics left out of what the {@link #listener listeners} get; none by default. */
    public Builder exclusions(MetricExclusions exclusions) {
      this.exclusions = Objects.requireNonNull(exclusions);
      return this;
    }

    public Builder metrics(LoopMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics);
      return this;
    }

    public Builder attributor(DeviceAttributor attributor) {
      this.attributor = Objects.requireNonNull(attributor);
      return this;
    }

    public Builder wallClock(LongSupplier wallClock) {
      this.wallClock = Objects.requireNonNull(wallClock);
      return this;
    }

    public CollectionLoop build() {
      return new CollectionLoop(this);
    }
  }
}
