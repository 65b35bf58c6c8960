package io.acceltel.exporter;

import io.acceltel.exporter.collect.CollectionLoop;
import io.acceltel.exporter.collect.SnapshotListener;
import io.acceltel.exporter.config.ExporterConfig;
import io.acceltel.exporter.device.BackendContext;
import io.acceltel.exporter.device.BackendUnavailableException;
import io.acceltel.exporter.device.DeviceBackend;
import io.acceltel.exporter.device.DeviceBackendProvider;
import io.acceltel.exporter.device.DeviceBackends;
import io.acceltel.exporter.exposition.MetricNameView;
import io.acceltel.exporter.exposition.MetricNameViews;
import io.acceltel.exporter.exposition.SnapshotExposition;
import io.acceltel.exporter.http.MetricsHttpServer;
import io.acceltel.exporter.selfmetrics.ExporterSelfMetrics;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The node exporter, wired: a device backend, the 1 Hz collection loop, the exposition cache, the platform's own
 * metrics and the HTTP listener.
 *
 * <pre>{@code
 * try (NodeExporter exporter = NodeExporter.start(config, List.of(), System.out::println)) {
 *   System.out.println("serving " + exporter.metricsUrl());
 * }
 * }</pre>
 */
public final class NodeExporter implements AutoCloseable {
  private static final java.util.Set<String> LINT_REJECTED_METERS = java.util.Set.of("process.cpu.time",
      "system.cpu.count");
  private final DeviceBackend backend;
  private final CollectionLoop loop;
  private final MetricsHttpServer http;
  private final SnapshotExposition exposition;
  private final ExporterSelfMetrics selfMetrics;
  private final JvmGcMetrics gcMetrics;
  private final ExporterConfig config;

  private NodeExporter(ExporterConfig config, DeviceBackend backend, CollectionLoop loop, MetricsHttpServer http,
      SnapshotExposition exposition, ExporterSelfMetrics selfMetrics, JvmGcMetrics gcMetrics) {
    this.config = config;
    this.backend = backend;
    this.loop = loop;
    this.http = http;
    this.exposition = exposition;
    this.selfMetrics = selfMetrics;
    this.gcMetrics = gcMetrics;
  }

  /**
   * Opens the backend, starts the loop and the listener.
   *
   * @param extraListeners further consumers of every tick (the Kafka sink)
   * @param announce receives the start-up lines an operator must see (which backend, simulated or not, the URL)
   */
  public static NodeExporter start(ExporterConfig config, List<SnapshotListener> extraListeners,
      Consumer<String> announce) throws BackendUnavailableException, IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    ExporterSelfMetrics selfMetrics = new ExporterSelfMetrics(registry);
    JvmGcMetrics gcMetrics = bindPlatformMetrics(registry);
    DeviceBackend backend = openBackend(config, selfMetrics, announce);
    MetricNameView view = MetricNameViews.discover().byName(config.names())
        .orElseThrow(() -> new IllegalStateException("name view " + config.names() + " is not on the class path"));
    SnapshotExposition exposition = new SnapshotExposition(view);
    registry.register(exposition);
    CollectionLoop.Builder loopBuilder = CollectionLoop.builder(config.node(), backend.devices())
        .interval(config.interval())
        .metrics(selfMetrics)
        .listener(exposition);
    extraListeners.forEach(loopBuilder::listener);
    CollectionLoop loop = loopBuilder.build();
    MetricsHttpServer http;
    try {
      http = MetricsHttpServer.start(config.listenHost(), config.listenPort(), registry,
          () -> exposition.latest().isPresent());
    } catch (IOException e) {
      loop.close();
      backend.close();
      throw e;
    }
    loop.start();
    return new NodeExporter(config, backend, loop, http, exposition, selfMetrics, gcMetrics);
  }

  private static JvmGcMetrics bindPlatformMetrics(PrometheusRegistry registry) {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, registry, Clock.SYSTEM);
    // Two Micrometer meters have names promtool's lint rejects (process_cpu_time_ns_total: abbreviated unit;
    // system_cpu_count: _count suffix on a gauge). process_cpu_usage and the JVM's own view cover both.
    meters.config().meterFilter(MeterFilter.deny(id -> LINT_REJECTED_METERS.contains(id.getName())));
    new JvmMemoryMetrics().bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    new UptimeMetrics().bindTo(meters);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(meters);
    return gc;
  }

  private static DeviceBackend openBackend(ExporterConfig config, ExporterSelfMetrics observer,
      Consumer<String> announce) throws BackendUnavailableException {
    DeviceBackends backends = DeviceBackends.discover();
    BackendContext context = new BackendContext(config.nvmlLibrary(), config.simulated(), observer);
    List<String> tried = new ArrayList<>();
    List<String> order = ExporterConfig.AUTO.equals(config.devices()) ? List.of("nvml", "simulated")
        : List.of(config.devices());
    BackendUnavailableException last = null;
    for (String name : order) {
      DeviceBackendProvider provider = backends.byName(name).orElse(null);
      if (provider == null) {
        continue;
      }
      try {
        DeviceBackend backend = provider.open(context);
        if (!tried.isEmpty()) {
          announce.accept("no NVIDIA driver here (" + String.join("; ", tried) + "), so devices are simulated");
        }
        announce.accept("devices: " + backend.description());
        return backend;
      } catch (BackendUnavailableException e) {
        tried.add(e.getMessage());
        last = e;
      }
    }
    if (last != null) {
      throw last;
    }
    throw new BackendUnavailableException("no device backend named '" + config.devices() + "' is available; "
        + "known: " + backends.names());
  }

  public String metricsUrl() {
    String host = config.listenHost().equals("0.0.0.0") ? "127.0.0.1" : config.listenHost();
    return "http://" + host + ":" + http.port() + "/metrics";
  }

  public int port() {
    return http.port();
  }

  public DeviceBackend backend() {
    return backend;
  }

  public ExporterSelfMetrics selfMetrics() {
    return selfMetrics;
  }

  public SnapshotExposition exposition() {
    return exposition;
  }

  @Override
  public void close() {
    http.close();
    loop.close();
    backend.close();
    gcMetrics.close();
  }
}
