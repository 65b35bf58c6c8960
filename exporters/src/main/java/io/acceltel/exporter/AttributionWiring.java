package io.acceltel.exporter;

import io.acceltel.exporter.attribution.AttributionSelfMetrics;
import io.acceltel.exporter.attribution.AttributionSettings;
import io.acceltel.exporter.attribution.DeviceAttributor;
import io.acceltel.exporter.attribution.KubernetesAttribution;
import io.acceltel.exporter.attribution.SimulatedAttribution;
import io.acceltel.exporter.config.ExporterConfig;
import io.acceltel.exporter.device.DeviceBackend;
import io.acceltel.exporter.simulated.SimulatedBackendProvider;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Chooses the exporter's attribution: none, simulated (for simulated devices, so the demo shows pod, job, tenant
 * and user labels), or the real kubelet + API server path.
 */
final class AttributionWiring implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(AttributionWiring.class.getName());
  private final DeviceAttributor attributor;
  private final AutoCloseable resources;

  private AttributionWiring(DeviceAttributor attributor, AutoCloseable resources) {
    this.attributor = attributor;
    this.resources = resources;
  }

  static AttributionWiring start(ExporterConfig config, DeviceBackend backend, PrometheusRegistry registry,
      Consumer<String> announce) {
    return start(config, backend, registry, announce, KubernetesAttribution::defaultClient);
  }

  /** As above, with the API server client that attribution makes; tests give one that fails. */
  static AttributionWiring start(ExporterConfig config, DeviceBackend backend, PrometheusRegistry registry,
      Consumer<String> announce, Supplier<KubernetesClient> clients) {
    AttributionSettings settings = config.attribution();
    boolean simulated = SimulatedBackendProvider.NAME.equals(backend.name());
    boolean inKubernetes = System.getenv("KUBERNETES_SERVICE_HOST") != null;
    if (!settings.enabled(inKubernetes, simulated)) {
      return new AttributionWiring(DeviceAttributor.NONE, () -> {});
    }
    if (simulated) {
      announce.accept("attribution: SIMULATED pods, jobs, tenants and users on the simulated devices");
      return new AttributionWiring(SimulatedAttribution.of(backend.devices(), settings), () -> {});
    }
    String nodeEnv = System.getenv("NODE_NAME");
    if ((nodeEnv == null || nodeEnv.isBlank()) && config.node().equals(ExporterConfig.hostName())) {
      // In a pod without hostNetwork the host name is the pod's name: the pod watch would select the pods of a
      // node that does not exist, and every series would carry the pod's name as its node.
      LOG.warning(() -> "NODE_NAME is not set, so the node is taken to be the host name '" + config.node() + "'. "
          + "In a pod without hostNetwork that is the pod's own name, and then pod labels are not found and the "
          + "node label is wrong: set NODE_NAME from the downward API (env valueFrom fieldRef spec.nodeName), or "
          + "pass --node");
    }
    KubernetesAttribution k;
    AttributionSelfMetrics metrics = new AttributionSelfMetrics(registry);
    try {
      k = KubernetesAttribution.start(settings, config.node(), clients, metrics, announce);
    } catch (RuntimeException | LinkageError e) {
      // The device metrics matter more than their pod labels: without attribution the node still exports them.
      // (netty's native transport, for one, fails with an Error on a read-only root without a writable /tmp.)
      LOG.log(Level.SEVERE, "attribution could not start, so no series carries pod labels: " + e, e);
      announce.accept("attribution: OFF, it could not start (" + e + "); see the log");
      // Never current: an alert on the staleness fires, where a log line alone would go unseen.
      metrics.staleness("kubelet", () -> Double.POSITIVE_INFINITY);
      metrics.staleness("apiserver", () -> Double.POSITIVE_INFINITY);
      return new AttributionWiring(DeviceAttributor.NONE, () -> {});
    }
    return new AttributionWiring(k.attributor(), k);
  }

  DeviceAttributor attributor() {
    return attributor;
  }

  @Override
  public void close() {
    try {
      resources.close();
    } catch (Exception e) {
      throw new IllegalStateException("closing attribution failed", e);
    }
  }
}
