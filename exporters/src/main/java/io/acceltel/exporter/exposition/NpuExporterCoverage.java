package io.acceltel.exporter.exposition;

import io.acceltel.model.docs.GeneratedDoc;

/**
 * Renders {@code docs/compat-npu-exporter.md}: which npu-exporter names {@code --names=npu-exporter} serves, and
 * from what; a test keeps the committed file equal to this output.
 */
public final class NpuExporterCoverage {
  private NpuExporterCoverage() {}

  public static GeneratedDoc document() {
    StringBuilder out = new StringBuilder();
    out.append("# npu-exporter compatibility names (`--names=npu-exporter`)\n\n")
        .append("Generated from `NpuExporterNameView.FIELDS`; do not edit by hand. Regenerate with ")
        .append("`mvn test -D").append(GeneratedDoc.UPDATE_PROPERTY).append("=true`.\n\n")
        .append("With `--names=npu-exporter` the exporter serves the same readings under the names and labels of ")
        .append("Huawei's Ascend npu-exporter (Ascend/mind-cluster), so dashboards built for it keep working. Each ")
        .append("`npu_chip_info_*` series carries `id` (the physical chip id), `model_name`, `vdie_id`, ")
        .append("`pcie_bus_info`, `namespace`, `pod_name` and `container_name` (empty when the NPU is not held by ")
        .append("a container), as npu-exporter emits them. Values use npu-exporter's units.\n\n")
        .append("Differences from npu-exporter: every metric is read every tick (1 s by default) instead of per ")
        .append("group interval (5 s to 60 s), and samples carry no explicit timestamps; `model_name` is the chip ")
        .append("type and name (`Ascend910B3`), not npu-exporter's `910B3-Ascend-V1`; metrics that npu-exporter ")
        .append("gets from `hccn_tool` (link status and speed, RoCE, optical modules, bandwidth), HCCS, SIO, PCIe ")
        .append("bandwidth, DDR, voltage, per-process memory, vNPU and the info metrics (`npu_chip_info_name`, ")
        .append("`_serial_number`, `_product_type`), the per-container metrics (`container_npu_utilization`, ")
        .append("`container_npu_total_memory`, `container_npu_used_memory`, `npu_container_info`), the numbered ")
        .append("error codes (`npu_chip_info_error_code_1` and on), `npu_chip_info_hbm_bandwidth_utilization` and ")
        .append("the HBM ECC enable flag and isolated-pages counts are not served. The device health of ")
        .append("[health.md](health.md) (`accelerator_health_state`) is served under its own name in every view.\n\n")
        .append("| npu-exporter name | unit | derived from |\n|---|---|---|\n");
    for (String count : NpuExporterNameView.NODE_COUNTS) {
      out.append("| `").append(count).append("` | count, no labels | the node's devices")
          .append(count.equals("machine_npu_nums") ? "" : "; healthy = `accelerator_driver_alarm_level` is 0, "
              + "unknown = lost or not read this tick")
          .append(" |\n");
    }
    for (NpuExporterField f : NpuExporterNameView.FIELDS) {
      out.append("| `").append(f.name()).append("` | ")
          .append(f.unitNote().isEmpty() ? "as catalog" : f.unitNote()).append(" | `")
          .append(f.source().name()).append("` |\n");
    }
    return new GeneratedDoc("docs/compat-npu-exporter.md", out.toString());
  }
}
