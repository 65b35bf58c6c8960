package io.acceltel.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.attribution.DeviceAttributor;
import io.acceltel.exporter.device.DeviceBackend;
import io.acceltel.exporter.device.DeviceReader;
import io.acceltel.exporter.testing.SimulatedNode;
import io.acceltel.model.catalog.MetricCatalog;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Attribution that cannot start leaves the devices exported, and says so where an alert can see it. */
class AttributionWiringTest {
  @Test
  void attributionThatCannotStartReportsInfiniteStaleness(@TempDir Path dir) throws Exception {
    DeviceBackend realDevices = new DeviceBackend() {
      @Override
      public String name() {
        return "nvml";
      }

      @Override
      public String description() {
        return "a driver backend (not simulated), without devices";
      }

      @Override
      public List<DeviceReader> devices() {
        return List.of();
      }

      @Override
      public void close() {}
    };
    PrometheusRegistry registry = new PrometheusRegistry();
    List<String> announced = new ArrayList<>();
    try (AttributionWiring wiring = AttributionWiring.start(SimulatedNode.config(SimulatedNode.source("node-a", 1)
            .put("attribution.enabled", "true", "test")
            .put("attribution.kubelet-socket", dir.resolve("kubelet.sock").toString(), "test")),
        realDevices, registry, announced::add, () -> {
          throw new IllegalStateException("no API server configured");
        })) {
      assertThat(wiring.attributor()).isSameAs(DeviceAttributor.NONE);
      assertThat(announced).anySatisfy(line -> assertThat(line).startsWith("attribution: OFF, it could not start"));
      GaugeSnapshot staleness = (GaugeSnapshot) registry.scrape(
          name -> name.startsWith(MetricCatalog.ATTRIBUTION_STALENESS.name())).get(0);
      assertThat(staleness.getDataPoints()).hasSize(2)
          .allSatisfy(p -> assertThat(p.getValue()).isEqualTo(Double.POSITIVE_INFINITY));
    }
  }
}
