package io.acceltel.exporter.dcmi;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.exposition.NpuExporterCoverage;
import org.junit.jupiter.api.Test;

class NpuExporterCoverageTest {
  @Test
  void docsCompatNpuExporterIsGeneratedFromTheFieldTable() {
    assertThat(NpuExporterCoverage.document().staleness()).isEmpty();
  }

  @Test
  void listsTheCoreNpuExporterNames() {
    assertThat(NpuExporterCoverage.document().content()).contains("`npu_chip_info_health_status`",
        "`npu_chip_info_temperature`", "`npu_chip_info_power`", "`npu_chip_info_aicore_current_freq`",
        "`npu_chip_info_utilization`", "`npu_chip_info_hbm_total_memory`", "`npu_chip_info_hbm_used_memory`",
        "`npu_chip_info_error_code`", "`npu_chip_info_network_status`", "`machine_npu_nums`");
  }
}
