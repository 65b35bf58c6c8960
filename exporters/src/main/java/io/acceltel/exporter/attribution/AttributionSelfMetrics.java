package io.acceltel.exporter.attribution;

import io.acceltel.model.catalog.MetricCatalog;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;

/**
 * The attribution self-metrics, named by the catalog: error counters, and a staleness gauge per source that is
 * computed at scrape time from the sources' own clocks.
 *
 * <pre>{@code
 * AttributionSelfMetrics metrics = new AttributionSelfMetrics(registry);
 * metrics.staleness("kubelet", kubelet::stalenessSeconds);
 * }</pre>
 */
public final class AttributionSelfMetrics implements AttributionMetrics {
  private final Counter kubeletErrors;
  private final Counter podWatchErrors;
  private final Counter resourceSliceWatchErrors;
  private final Map<String, DoubleSupplier> staleness = new ConcurrentHashMap<>();

  public AttributionSelfMetrics(PrometheusRegistry registry) {
    kubeletErrors = Counter.builder()
        .name(MetricCatalog.KUBELET_ERRORS.name())
        .help(MetricCatalog.KUBELET_ERRORS.help())
        .labelNames(MetricCatalog.KUBELET_ERRORS.labelNames().toArray(String[]::new))
        .register(registry);
    podWatchErrors = Counter.builder()
        .name(MetricCatalog.POD_WATCH_ERRORS.name())
        .help(MetricCatalog.POD_WATCH_ERRORS.help())
        .register(registry);
    resourceSliceWatchErrors = Counter.builder()
        .name(MetricCatalog.RESOURCESLICE_WATCH_ERRORS.name())
        .help(MetricCatalog.RESOURCESLICE_WATCH_ERRORS.help())
        .register(registry);
    GaugeWithCallback.builder()
        .name(MetricCatalog.ATTRIBUTION_STALENESS.name())
        .help(MetricCatalog.ATTRIBUTION_STALENESS.help())
        .unit(Unit.SECONDS)
        .labelNames(MetricCatalog.ATTRIBUTION_STALENESS.labelNames().toArray(String[]::new))
        .callback(cb -> staleness.forEach((source, s) -> cb.call(s.getAsDouble(), source)))
        .register(registry);
  }

  /** Reports {@code source}'s staleness (e.g. "kubelet", "apiserver") from now on. */
  public void staleness(String source, DoubleSupplier seconds) {
    staleness.put(source, seconds);
  }

  @Override
  public void kubeletError(String call, String code) {
    kubeletErrors.labelValues(call, code).inc();
  }

  @Override
  public void podWatchError() {
    podWatchErrors.inc();
  }

  @Override
  public void resourceSliceWatchError() {
    resourceSliceWatchErrors.inc();
  }

  /** For tests: failed kubelet calls so far, all codes. */
  public double kubeletErrors(String call, String code) {
    return kubeletErrors.labelValues(call, code).get();
  }

  public double podWatchErrors() {
    return podWatchErrors.get();
  }

  public double resourceSliceWatchErrors() {
    return resourceSliceWatchErrors.get();
  }
}
