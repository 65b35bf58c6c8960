package io.acceltel.exporter;

import io.acceltel.exporter.attribution.AttributionSelfMetrics;
import io.acceltel.exporter.attribution.AttributionSettings;
import io.acceltel.exporter.attribution.DeviceAttributor;
import io.acceltel.exporter.attribution.KubernetesAttribution;
import io.acceltel.exporter.attribution.SimulatedAttribution;
import io.acceltel.exporter.config.ExporterConfig;
import io.acceltel.exporter.device.DeviceBackend;
import io.acceltel.exporter.simulated.SimulatedBackendProvider;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.Consumer;

/**
 * Chooses the exporter's attribution: none, simulated (for simulated devices, so the demo shows pod, job, tenant
 * and user labels), or the real kubelet + API server path.
 */
final class AttributionWiring implements AutoCloseable {
  private final DeviceAttributor attributor;
  private final AutoCloseable resources;

  private AttributionWiring(DeviceAttributor attributor, AutoCloseable resources) {
    this.attributor = attributor;
    this.resources = resources;
  }

  static AttributionWiring start(ExporterConfig config, DeviceBackend backend, PrometheusRegistry registry,
      Consumer<String> announce) {
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
    KubernetesAttribution k = KubernetesAttribution.start(settings, config.node(),
        KubernetesAttribution::defaultClient, new AttributionSelfMetrics(registry), announce);
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
