package io.acceltel.exporter.exposition;

import static io.acceltel.exporter.exposition.ReadingExtractor.labelled;
import static io.acceltel.exporter.exposition.ReadingExtractor.scaled;

import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.acceltel.model.snapshot.Reading;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Huawei npu-exporter's names and labels ({@code --names=npu-exporter}), so Grafana dashboards built for the Ascend
 * npu-exporter (Ascend/mind-cluster) keep working. Chip metrics are {@code npu_chip_info_*} with the labels
 * {@code id} (physical chip id), {@code model_name}, {@code vdie_id}, {@code pcie_bus_info}, {@code namespace},
 * {@code pod_name} and {@code container_name} (empty when the NPU is not in a container), in npu-exporter's units
 * (W, MB, MHz, %); node counts are {@code machine_*_nums} without labels.
 */
public final class NpuExporterNameView implements MetricNameView {
  public static final String NAME = "npu-exporter";
  private static final double MB = 1.0 / (1024 * 1024);
  private static final double MHZ = 1e-6;
  private static final String[] LABELS =
      {"id", "model_name", "vdie_id", "pcie_bus_info", "namespace", "pod_name", "container_name"};
  /** npu-exporter's pod label names, by the attribution label they come from. */
  private static final String[][] POD_LABELS = {{"namespace", "namespace"}, {"pod", "pod_name"},
      {"container", "container_name"}};

  /** The table: one row per npu-exporter metric acceltel can provide, in npu-exporter's documentation order. */
  static final List<NpuExporterField> FIELDS = List.of(
      field("npu_chip_info_health_status", "the NPU health status: 1 healthy, 0 unhealthy, -1 unknown",
          MetricCatalog.DRIVER_ALARM_LEVEL, "1 when the alarm level is 0, 0 otherwise, -1 when lost or not read",
          NpuExporterNameView::healthStatus),
      field("npu_chip_info_temperature", "the NPU temperature (C)", MetricCatalog.TEMPERATURE, "",
          scaled(MetricCatalog.TEMPERATURE, 1)),
      field("npu_chip_info_power", "the NPU power (W)", MetricCatalog.POWER, "", scaled(MetricCatalog.POWER, 1)),
      field("npu_chip_info_aicore_current_freq", "the NPU AI Core current frequency (MHz)", MetricCatalog.CLOCK,
          "MHz", labelled(MetricCatalog.CLOCK, Map.of("clock", "aicore"), MHZ)),
      field("npu_chip_info_error_code", "the NPU's first error code (0 when none)", MetricCatalog.DRIVER_ERROR_CODE,
          "first code as a number", NpuExporterNameView::firstErrorCode),
      field("npu_chip_info_network_status", "the NPU network health: 1 healthy, 0 unhealthy",
          MetricCatalog.NETWORK_HEALTHY, "", scaled(MetricCatalog.NETWORK_HEALTHY, 1)),
      field("npu_chip_info_utilization", "the AI Core utilization (%)", MetricCatalog.UTILIZATION, "%",
          scaled(MetricCatalog.UTILIZATION, 100)),
      field("npu_chip_info_overall_utilization", "the NPU overall utilization (%)", MetricCatalog.OVERALL_UTILIZATION,
          "%", scaled(MetricCatalog.OVERALL_UTILIZATION, 100)),
      field("npu_chip_info_vector_utilization", "the AI Vector utilization (%)",
          MetricCatalog.VECTOR_CORE_UTILIZATION, "%", scaled(MetricCatalog.VECTOR_CORE_UTILIZATION, 100)),
      field("npu_chip_info_cube_utilization", "the AI Cube utilization (%)", MetricCatalog.CUBE_CORE_UTILIZATION,
          "%", scaled(MetricCatalog.CUBE_CORE_UTILIZATION, 100)),
      field("npu_chip_info_hbm_total_memory", "the HBM total memory (MB)", MetricCatalog.MEMORY_TOTAL, "MB",
          scaled(MetricCatalog.MEMORY_TOTAL, MB)),
      field("npu_chip_info_hbm_used_memory", "the HBM used memory (MB)", MetricCatalog.MEMORY_USED, "MB",
          scaled(MetricCatalog.MEMORY_USED, MB)),
      field("npu_chip_info_hbm_temperature", "the HBM temperature (C)", MetricCatalog.MEMORY_TEMPERATURE, "",
          scaled(MetricCatalog.MEMORY_TEMPERATURE, 1)),
      field("npu_chip_info_hbm_utilization", "the HBM utilization (%)", MetricCatalog.MEMORY_UTILIZATION, "%",
          scaled(MetricCatalog.MEMORY_UTILIZATION, 100)),
      field("npu_chip_info_hbm_ecc_single_bit_error_cnt", "the HBM single-bit ECC error count",
          MetricCatalog.ECC_ERRORS, "", ecc("corrected", "volatile")),
      field("npu_chip_info_hbm_ecc_double_bit_error_cnt", "the HBM double-bit ECC error count",
          MetricCatalog.ECC_ERRORS, "", ecc("uncorrected", "volatile")),
      field("npu_chip_info_hbm_ecc_total_single_bit_error_cnt", "the HBM lifetime single-bit ECC error count",
          MetricCatalog.ECC_ERRORS, "", ecc("corrected", "aggregate")),
      field("npu_chip_info_hbm_ecc_total_double_bit_error_cnt", "the HBM lifetime double-bit ECC error count",
          MetricCatalog.ECC_ERRORS, "", ecc("uncorrected", "aggregate")));

  /** The node-level counts npu-exporter serves without labels. */
  static final List<String> NODE_COUNTS = List.of("machine_npu_nums", "machine_healthy_npu_nums",
      "machine_unhealthy_npu_nums", "machine_unknown_npu_nums");
  private static final int HEALTHY = 1;
  private static final int UNHEALTHY = 0;
  private static final int UNKNOWN = -1;
  private static final ReadingExtractor ALARM_LEVEL = scaled(MetricCatalog.DRIVER_ALARM_LEVEL, 1);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public MetricSnapshots render(NodeSnapshot snapshot) {
    List<Labels> labels = new ArrayList<>(snapshot.devices().size());
    int[] byStatus = new int[3]; // unknown, unhealthy, healthy: the three always add up to the chips
    for (DeviceSnapshot device : snapshot.devices()) {
      labels.add(deviceLabels(device));
      OptionalDouble status = healthStatus(device);
      byStatus[status.isPresent() ? (int) status.getAsDouble() + 1 : UNKNOWN + 1]++;
    }
    List<MetricSnapshot> out = new ArrayList<>(FIELDS.size() + NODE_COUNTS.size());
    out.add(count(NODE_COUNTS.get(0), "the number of NPU chips on the node", snapshot.devices().size()));
    out.add(count(NODE_COUNTS.get(1), "the number of healthy NPU chips", byStatus[HEALTHY + 1]));
    out.add(count(NODE_COUNTS.get(2), "the number of unhealthy NPU chips", byStatus[UNHEALTHY + 1]));
    out.add(count(NODE_COUNTS.get(3), "the number of NPU chips whose health could not be read",
        byStatus[UNKNOWN + 1]));
    for (NpuExporterField field : FIELDS) {
      MetricSnapshot family = CompatFamilies.family(field.name(), field.help(), false, field.extractor(),
          snapshot.devices(), labels);
      if (family != null) {
        out.add(family);
      }
    }
    return new MetricSnapshots(out);
  }

  private static MetricSnapshot count(String name, String help, int value) {
    return new GaugeSnapshot(new MetricMetadata(name, help),
        List.of(new GaugeDataPointSnapshot(value, Labels.EMPTY, null)));
  }

  private static Labels deviceLabels(DeviceSnapshot device) {
    String busId = "";
    for (Reading r : device.readings()) {
      if (r.metric() == MetricCatalog.DEVICE_INFO) {
        busId = r.labelValues().get(r.metric().labelNames().indexOf("pci_bus_id"));
        break;
      }
    }
    String[] values = {Integer.toString(device.identity().index()), device.identity().model(),
        device.identity().uuid(), busId, "", "", ""};
    for (int i = 0; i < POD_LABELS.length; i++) {
      String value = device.attribution().get(POD_LABELS[i][0]);
      if (value != null) {
        values[4 + i] = value;
      }
    }
    return Labels.of(LABELS, values);
  }

  /**
   * The first error code as npu-exporter prints it (a number), 0 when the driver reports none; absent without the
   * error code call, and when it reports codes that are not in the tick (the per-code metric excluded by
   * metrics.exclude): 0 would say "no error" for an NPU that has one.
   */
  private static OptionalDouble firstErrorCode(DeviceSnapshot device) {
    double count = -1;
    for (Reading r : device.readings()) {
      if (r.metric() == MetricCatalog.DRIVER_ERROR_CODE) {
        return OptionalDouble.of(Long.decode(r.labelValues().get(0)));
      }
      if (r.metric() == MetricCatalog.DRIVER_ERROR_CODES) {
        count = r.value();
      }
    }
    return count == 0 ? OptionalDouble.of(0) : OptionalDouble.empty();
  }

  private static NpuExporterField field(String name, String help, MetricDefinition source, String unitNote,
      ReadingExtractor extractor) {
    return new NpuExporterField(name, help, source, unitNote, extractor);
  }

  private static ReadingExtractor ecc(String error, String scope) {
    return labelled(MetricCatalog.ECC_ERRORS, Map.of("error", error, "scope", scope), 1);
  }

  /**
   * As npu-exporter reports it: -1 (unknown) for a lost NPU or one whose health call failed this tick, which an
   * alert on {@code != 1} then still catches rather than going blind. A read that only missed this tick's deadline
   * says nothing (one slow read must not page); such an NPU counts as unknown in the node's counts.
   */
  private static OptionalDouble healthStatus(DeviceSnapshot device) {
    if (device.unread()) {
      return OptionalDouble.empty();
    }
    OptionalDouble level = ALARM_LEVEL.extract(device);
    if (device.lost() || level.isEmpty()) {
      return OptionalDouble.of(UNKNOWN);
    }
    return OptionalDouble.of(level.getAsDouble() == 0 ? HEALTHY : UNHEALTHY);
  }
}
