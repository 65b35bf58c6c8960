package io.acceltel.exporter;

import io.acceltel.exporter.collect.CollectionLoop;
import io.acceltel.exporter.collect.LeftOutRetry;
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
import io.acceltel.exporter.health.HealthEndpoint;
import io.acceltel.exporter.health.HealthMonitor;
import io.acceltel.exporter.health.HealthRules;
import io.acceltel.exporter.http.Endpoint;
import io.acceltel.exporter.http.MetricsHttpServer;
import io.acceltel.exporter.kafka.KafkaSink;
import io.acceltel.exporter.selfmetrics.ExporterSelfMetrics;
import io.acceltel.exporter.simulated.SimulatedBackend;
import io.acceltel.http.tls.TlsListener;
import io.acceltel.exporter.simulated.SimulatedFaultEndpoints;
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
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

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
  private static final Logger LOG = Logger.getLogger(NodeExporter.class.getName());
  private static final java.util.Set<String> LINT_REJECTED_METERS = java.util.Set.of("process.cpu.time",
      "system.cpu.count");
  private final ExporterConfig config;
  private final DeviceBackend backend;
  private final MetricsHttpServer http;
  private final SnapshotExposition exposition;
  private final ExporterSelfMetrics selfMetrics;
  /**
   * What runs, in the order it stops: the listener, the retries of devices left out at start, then the loop (no
   * more ticks), then the Kafka sink (which hands over the last ticks), attribution's background threads, the
   * backend, the JVM metrics.
   */
  private final List<AutoCloseable> shutdownOrder;

  private NodeExporter(ExporterConfig config, DeviceBackend backend, MetricsHttpServer http,
      SnapshotExposition exposition, ExporterSelfMetrics selfMetrics, List<AutoCloseable> shutdownOrder) {
    this.config = config;
    this.backend = backend;
    this.http = http;
    this.exposition = exposition;
    this.selfMetrics = selfMetrics;
    this.shutdownOrder = List.copyOf(shutdownOrder);
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
    selfMetrics.devicesLeftOut(backend.devicesLeftOut());
    MetricNameView view = MetricNameViews.discover().byName(config.names())
        .orElseThrow(() -> new IllegalStateException("name view " + config.names() + " is not on the class path"));
    SnapshotExposition exposition = new SnapshotExposition(view);
    registry.register(exposition);
    HealthMonitor health = new HealthMonitor(HealthRules.DEFAULT_APP_XID_WINDOW, config.interval(),
        backend.devicesLeftOut());
    registry.register(health);
    AttributionWiring attribution = AttributionWiring.start(config, backend, registry, announce);
    CollectionLoop.Builder loopBuilder = CollectionLoop.builder(config.node(), backend.devices())
        .attributor(attribution.attributor())
        .interval(config.interval())
        .metrics(selfMetrics)
        .exclusions(config.exclusions())
        .listener(exposition);
    extraListeners.forEach(loopBuilder::listener);
    loopBuilder.unfilteredListener(health);
    if (!config.exclusions().isEmpty()) {
      announce.accept("leaving out of /metrics and Kafka: " + String.join(",", config.exclusions().patterns())
          + " (" + config.exclusions().size() + " device metrics; health still uses them)");
    }
    Optional<KafkaSink> kafka;
    try {
      kafka = config.kafka().map(settings -> {
        announce.accept("streaming every tick to Kafka at " + settings.bootstrapServers() + " ("
            + settings.security() + "), topic " + settings.topic()
            + settings.spool().map(spool -> ", spooling overflow to " + spool.directory()).orElse(""));
        return KafkaSink.start(settings, registry);
      });
    } catch (UncheckedIOException e) {
      closeAll(List.of(attribution, backend, gcMetrics));
      throw new IOException(e.getMessage(), e.getCause());
    }
    kafka.ifPresent(loopBuilder::listener);
    CollectionLoop loop = loopBuilder.build();
    LeftOutRetry leftOutRetry = LeftOutRetry.start(backend, loop, LeftOutRetry.EVERY, leftOut -> {
      selfMetrics.devicesLeftOut(leftOut);
      health.devicesLeftOut(leftOut);
    });
    List<AutoCloseable> running = new ArrayList<>(List.of(leftOutRetry, loop));
    kafka.ifPresent(running::add);
    AutoCloseable backendOnceQuiet = () -> {
      if (loop.quiesced() && leftOutRetry.quiesced()) {
        backend.close();
      } else {
        // Freeing NVML's samples and shutting it down under a read still in the driver could crash the JVM.
        LOG.warning("a device read is still inside the driver after the loop stopped; leaving the "
            + backend.name() + " backend open for the process to end");
      }
    };
    running.addAll(List.of(attribution, backendOnceQuiet, gcMetrics));
    MetricsHttpServer http;
    try {
      http = MetricsHttpServer.start(config.listenHost(), config.listenPort(), TlsListener.of(config.tls()),
          registry, () -> exposition.latest().isPresent(), endpoints(backend, health, config.interval(), announce))
          .preRendered(exposition)
          .liveness(() -> selfMetrics.livenessProblem(maxTickAge(config)));
    } catch (IOException e) {
      closeAll(running);
      throw e;
    }
    running.add(0, http);
    loop.start();
    return new NodeExporter(config, backend, http, exposition, selfMetrics, running);
  }

  /**
   * How long without a completed tick before /healthz fails: ten intervals, and never under a minute, so a slow
   * start (attribution's first kubelet call) or a long GC pause does not restart a working exporter.
   */
  static Duration maxTickAge(ExporterConfig config) {
    return Collections.max(List.of(config.interval().multipliedBy(10), Duration.ofMinutes(1)));
  }

  private static void closeAll(List<AutoCloseable> components) {
    for (AutoCloseable c : components) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.log(Level.WARNING, "stopping " + c.getClass().getSimpleName() + " failed", e);
      }
    }
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
    List<String> tried = new ArrayList<>();
    List<String> order = ExporterConfig.AUTO.equals(config.devices()) ? List.of("nvml", "dcmi", "simulated")
        : List.of(config.devices());
    BackendUnavailableException last = null;
    for (String name : order) {
      DeviceBackendProvider provider = backends.byName(name).orElse(null);
      if (provider == null) {
        continue;
      }
      try {
        DeviceBackend backend = provider.open(
            new BackendContext(config.nativeLibrary(name), config.simulated(), observer));
        if (!tried.isEmpty()) {
          announce.accept("no accelerator driver here (" + String.join("; ", tried) + "), so devices are "
              + backend.name());
        }
        announce.accept("devices: " + backend.description());
        return backend;
      } catch (BackendUnavailableException e) {
        if (!e.noDriver()) {
          throw e; // a driver that is there and fails is reported, never replaced by simulated devices
        }
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

  /** /health/devices, and the fault injection routes when the devices are simulated. */
  private static Map<String, Endpoint> endpoints(DeviceBackend backend, HealthMonitor health, Duration interval,
      Consumer<String> announce) {
    Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    endpoints.put(HealthEndpoint.PATH, new HealthEndpoint(health::latest, HealthEndpoint.maxAge(interval),
        System::currentTimeMillis));
    if (backend instanceof SimulatedBackend simulated) {
      endpoints.putAll(SimulatedFaultEndpoints.of(simulated));
      announce.accept("fault injection (simulated devices only): POST /simulate/xid?device=N&xid=79, "
          + "/simulate/thermal?device=N&on=true, /simulate/lost?device=N&on=true; see /health/devices");
    }
    return endpoints;
  }

  public String metricsUrl() {
    String host = config.listenHost().equals("0.0.0.0") ? "127.0.0.1" : config.listenHost();
    return http.scheme() + "://" + host + ":" + http.port() + "/metrics";
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
    closeAll(shutdownOrder);
  }

}
