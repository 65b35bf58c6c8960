package io.acceltel.exporter.selfmetrics;

import io.acceltel.exporter.collect.LoopMetrics;
import io.acceltel.exporter.device.NativeCallObserver;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The exporter's own metrics (tick duration, overruns, native-call errors), registered in the same registry that
 * serves the device metrics. Their names and help come from the catalog, like every other metric.
 */
public final class ExporterSelfMetrics implements LoopMetrics, NativeCallObserver {
  private static final Logger LOG = Logger.getLogger(ExporterSelfMetrics.class.getName());

  private final Histogram tickDuration;
  private final Counter ticks;
  private final Counter overruns;
  private final Counter backendErrors;
  private final Gauge lastTick;
  private final Gauge devicesLeftOut;
  private final LongSupplier nanoClock;
  /** When the last tick completed; the start until the first one does. */
  private volatile long lastTickNanos;
  private volatile String unusable;
  private final Set<String> unsupportedLogged = ConcurrentHashMap.newKeySet();
  /** One line per function and code: a call that fails every tick (e.g. NO_PERMISSION) must not flood the log. */
  private final Set<String> failureLogged = ConcurrentHashMap.newKeySet();

  public ExporterSelfMetrics(PrometheusRegistry registry) {
    this(registry, System::nanoTime);
  }

  /** @param nanoClock the clock liveness measures tick age with */
  public ExporterSelfMetrics(PrometheusRegistry registry, LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.lastTickNanos = nanoClock.getAsLong();
    tickDuration = Histogram.builder()
        .name(MetricCatalog.TICK_DURATION.name())
        .help(MetricCatalog.TICK_DURATION.help())
        .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
        .classicOnly()
        .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
        .register(registry);
    ticks = counter(MetricCatalog.TICKS).register(registry);
    overruns = counter(MetricCatalog.DEVICE_READ_OVERRUNS).register(registry);
    backendErrors = counter(MetricCatalog.BACKEND_ERRORS).register(registry);
    lastTick = Gauge.builder()
        .name(MetricCatalog.LAST_TICK.name())
        .help(MetricCatalog.LAST_TICK.help())
        .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
        .register(registry);
    devicesLeftOut = Gauge.builder()
        .name(MetricCatalog.DEVICES_LEFT_OUT.name())
        .help(MetricCatalog.DEVICES_LEFT_OUT.help())
        .register(registry);
  }

  /** How many devices the backend found but could not read at all; set once the backend is open. */
  public void devicesLeftOut(int count) {
    devicesLeftOut.set(count);
  }

  private static Counter.Builder counter(MetricDefinition metric) {
    return Counter.builder()
        .name(metric.name())
        .help(metric.help())
        .labelNames(metric.labelNames().toArray(String[]::new));
  }

  @Override
  public void tickCompleted(long tickMillis, double durationSeconds) {
    tickDuration.observe(durationSeconds);
    ticks.inc();
    lastTick.set(tickMillis / 1000.0);
    lastTickNanos = nanoClock.getAsLong();
  }

  @Override
  public void readOverrun(int deviceIndex) {
    overruns.labelValues(Integer.toString(deviceIndex)).inc();
  }

  @Override
  public void backendUnusable(String backend, String why) {
    if (unusable == null) {
      unusable = backend + ": " + why;
      LOG.severe(() -> unusable + "; /healthz now fails so that Kubernetes restarts the exporter");
    }
  }

  /**
   * Why the exporter should be restarted, if it should: its backend became unusable, or no tick completed for
   * {@code maxTickAge} (counted from the start until the first one).
   */
  public Optional<String> livenessProblem(Duration maxTickAge) {
    if (unusable != null) {
      return Optional.of(unusable);
    }
    long ageNanos = nanoClock.getAsLong() - lastTickNanos;
    if (ageNanos > maxTickAge.toNanos()) {
      return Optional.of("no tick completed for " + ageNanos / 1_000_000_000L + " s (limit "
          + maxTickAge.toSeconds() + " s): the collection loop is stuck");
    }
    return Optional.empty();
  }

  @Override
  public void unsupported(DeviceIdentity device, String function) {
    if (unsupportedLogged.add(device.uuid() + '/' + function)) {
      LOG.info(() -> "device " + device.index() + " (" + device.model() + "): " + function
          + " is not supported; its metrics are left out for this device");
    }
  }

  @Override
  public void failed(String backend, String function, int code, String codeName) {
    backendErrors.labelValues(backend, function, codeName).inc();
    if (failureLogged.add(backend + '/' + function + '/' + code)) {
      LOG.warning(() -> backend + ": " + function + " failed with " + codeName + " (" + code + "); its readings are "
          + "left out while it fails. Further failures of this call with this code are counted in "
          + MetricCatalog.BACKEND_ERRORS.name() + ", not logged");
    }
  }
}
