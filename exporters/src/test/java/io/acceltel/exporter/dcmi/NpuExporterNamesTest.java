package io.acceltel.exporter.dcmi;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.collect.CollectionLoop;
import io.acceltel.exporter.device.NativeCallObserver;
import io.acceltel.exporter.exposition.MetricNameViews;
import io.acceltel.exporter.exposition.NativeNameView;
import io.acceltel.exporter.exposition.NpuExporterNameView;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.acceltel.model.snapshot.Vendor;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * NPU readings from the DCMI double, served under npu-exporter's names and labels (shared/reference/dcmi.md §4.2,
 * §4.3), and under acceltel's own names with vendor="huawei".
 */
class NpuExporterNamesTest {
  private static final DcmiDouble DCMI = DcmiDouble.INSTANCE;

  private static NodeSnapshot tick() throws Exception {
    DCMI.dcmiDouble_reset(2, 1);
    DCMI.dcmiDouble_setInt("phy_id", 1, 5);
    DCMI.dcmiDouble_setInt("pcie.bus", 1, 0x61);
    DCMI.dcmiDouble_setInt("power", 1, 1234);
    DCMI.dcmiDouble_setInt("multi.aicore", 1, 76);
    DCMI.dcmiDouble_setInt("hbm.usage", 1, 30000);
    DCMI.dcmiDouble_setInt("health", 1, 1);
    DCMI.dcmiDouble_setErrorCodes(1, 1, 0x80E01801, 0, 0);
    try (DcmiBackend backend = DcmiBackendTest.open(NativeCallObserver.NOOP);
        CollectionLoop loop = CollectionLoop.builder("npu-node-1", backend.devices()).build()) {
      return loop.tick(1_795_349_100_000L);
    }
  }

  private static DataPointSnapshot point(MetricSnapshots all, String name, String label, String value) {
    MetricSnapshot family = all.stream().filter(s -> s.getMetadata().getPrometheusName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(name + " not rendered"));
    return family.getDataPoints().stream().filter(p -> value.equals(p.getLabels().get(label))).findFirst()
        .orElseThrow(() -> new AssertionError(name + " has no point with " + label + "=" + value));
  }

  private static double gauge(MetricSnapshots all, String name, String id) {
    return ((GaugeDataPointSnapshot) point(all, name, "id", id)).getValue();
  }

  @Test
  void theViewIsDiscoveredByItsFlagValue() {
    assertThat(MetricNameViews.discover().names()).contains("npu-exporter");
  }

  @Test
  void servesNpuChipInfoNamesWithNpuExporterLabelsAndUnits() throws Exception {
    NodeSnapshot tick = tick();
    MetricSnapshots npu = MetricNameViews.discover().byName("npu-exporter").orElseThrow().render(tick);
    Labels labels = point(npu, "npu_chip_info_power", "id", "5").getLabels();
    assertThat(labels.stream().map(l -> l.getName())).containsExactlyInAnyOrder("id", "model_name", "vdie_id",
        "pcie_bus_info", "namespace", "pod_name", "container_name");
    assertThat(labels.get("model_name")).isEqualTo("Ascend910B3");
    assertThat(labels.get("vdie_id")).isEqualTo(tick.devices().get(1).identity().uuid());
    assertThat(labels.get("pcie_bus_info")).isEqualTo("0000:61:00.0");
    assertThat(labels.get("pod_name")).isEmpty();

    assertThat(gauge(npu, "npu_chip_info_power", "5")).isEqualTo(123.4);
    assertThat(gauge(npu, "npu_chip_info_utilization", "5")).isEqualTo(76.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(gauge(npu, "npu_chip_info_hbm_used_memory", "5")).isEqualTo(30000);
    assertThat(gauge(npu, "npu_chip_info_hbm_total_memory", "5")).isEqualTo(65536);
    assertThat(gauge(npu, "npu_chip_info_aicore_current_freq", "5")).isEqualTo(1800);
    assertThat(gauge(npu, "npu_chip_info_temperature", "5")).isEqualTo(35);
    assertThat(gauge(npu, "npu_chip_info_health_status", "5")).isEqualTo(0);
    assertThat(gauge(npu, "npu_chip_info_health_status", "0")).isEqualTo(1);
    assertThat(gauge(npu, "npu_chip_info_error_code", "5")).isEqualTo(0x80E01801L);
    assertThat(gauge(npu, "npu_chip_info_error_code", "0")).isEqualTo(0);
    assertThat(gauge(npu, "npu_chip_info_network_status", "0")).isEqualTo(1);
    assertThat(gauge(npu, "npu_chip_info_hbm_ecc_double_bit_error_cnt", "0")).isEqualTo(0);

    MetricSnapshot count = npu.stream().filter(s -> s.getMetadata().getPrometheusName().equals("machine_npu_nums"))
        .findFirst().orElseThrow();
    assertThat(((GaugeDataPointSnapshot) count.getDataPoints().get(0)).getValue()).isEqualTo(2);
    MetricSnapshot unhealthy = npu.stream()
        .filter(s -> s.getMetadata().getPrometheusName().equals("machine_unhealthy_npu_nums")).findFirst().orElseThrow();
    assertThat(((GaugeDataPointSnapshot) unhealthy.getDataPoints().get(0)).getValue()).isEqualTo(1);
  }

  /** A lost NPU is unknown (-1), as npu-exporter reports it, so an alert on != 1 fires instead of going blind. */
  /** With the per-code metric excluded (metrics.exclude), an NPU with codes must not be served as "no error" (0). */
  @Test
  void anExcludedErrorCodeIsNotServedAsNoError() throws Exception {
    NodeSnapshot tick = tick();
    List<DeviceSnapshot> withoutCodes = tick.devices().stream().map(d -> d.withReadings(d.readings().stream()
        .filter(r -> r.metric() != MetricCatalog.DRIVER_ERROR_CODE).toList(), d.attribution())).toList();
    MetricSnapshots npu = new NpuExporterNameView().render(new NodeSnapshot(tick.node(), tick.timestampMillis(),
        withoutCodes));
    assertThat(npu.stream().filter(f -> f.getMetadata().getPrometheusName().equals("npu_chip_info_error_code"))
        .flatMap(f -> f.getDataPoints().stream()).map(p -> p.getLabels().get("id")))
        .as("the NPU with a code is left out, the one without is 0").containsExactly("0");
    assertThat(gauge(npu, "npu_chip_info_error_code", "0")).isEqualTo(0);
  }

  @Test
  void aLostNpuIsUnknownNotAbsentAndCountedAsSuch() throws Exception {
    NodeSnapshot tick = tick();
    DeviceSnapshot lost = DeviceSnapshot.builder(tick.devices().get(1).identity()).lost(true).build();
    DeviceSnapshot slow = DeviceSnapshot.unread(new DeviceIdentity(7, "vdie-7", "Ascend910B3", Vendor.HUAWEI));
    MetricSnapshots npu = new NpuExporterNameView().render(
        new NodeSnapshot(tick.node(), tick.timestampMillis(), List.of(tick.devices().get(0), lost, slow)));
    assertThat(gauge(npu, "npu_chip_info_health_status", "5")).isEqualTo(-1);
    assertThat(gauge(npu, "npu_chip_info_health_status", "0")).isEqualTo(1);
    assertThat(npu.stream().filter(f -> f.getMetadata().getPrometheusName().equals("npu_chip_info_health_status"))
        .flatMap(f -> f.getDataPoints().stream()).map(p -> p.getLabels().get("id")))
        .as("a read that only missed the deadline says nothing: one slow read must not page").doesNotContain("7");
    for (String[] count : new String[][] {{"machine_npu_nums", "3"}, {"machine_healthy_npu_nums", "1"},
        {"machine_unhealthy_npu_nums", "0"}, {"machine_unknown_npu_nums", "2"}}) {
      MetricSnapshot family = npu.stream().filter(f -> f.getMetadata().getPrometheusName().equals(count[0]))
          .findFirst().orElseThrow();
      assertThat(((GaugeDataPointSnapshot) family.getDataPoints().get(0)).getValue()).as(count[0])
          .isEqualTo(Double.parseDouble(count[1]));
    }
  }

  @Test
  void nativeNamesCarryVendorHuaweiAndThePhysicalIdAsDevice() throws Exception {
    MetricSnapshots all = new NativeNameView().render(tick());
    DataPointSnapshot power = point(all, "accelerator_power_watts", "device", "5");
    assertThat(power.getLabels().get("vendor")).isEqualTo("huawei");
    assertThat(power.getLabels().get("model")).isEqualTo("Ascend910B3");
    assertThat(((GaugeDataPointSnapshot) power).getValue()).isEqualTo(123.4);
  }
}
