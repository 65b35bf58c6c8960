package io.acceltel.model.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MetricCatalogTest {
  @Test
  void everyDeviceMetricNamesWhereItComesFrom() {
    // A device backend's call (NVML, DCMI), or what derives it (the exporter's health rules, attribution).
    assertThat(MetricCatalog.all())
        .filteredOn(MetricDefinition::perDevice)
        .allSatisfy(m -> assertThat(m.sources().values()).isNotEmpty().allSatisfy(s -> assertThat(s).isNotBlank()));
  }

  @Test
  void theAscendMetricsNameTheirDcmiCall() {
    assertThat(List.of(MetricCatalog.UTILIZATION, MetricCatalog.MEMORY_USED, MetricCatalog.MEMORY_TOTAL,
        MetricCatalog.TEMPERATURE, MetricCatalog.POWER, MetricCatalog.CLOCK, MetricCatalog.DRIVER_ALARM_LEVEL))
        .allSatisfy(m -> assertThat(m.sources().get(Source.DCMI)).contains("dcmi_"));
  }

  @Test
  void coversTheMetricFamiliesTheExporterPromises() {
    List<String> names = MetricCatalog.all().stream().map(MetricDefinition::name).toList();
    assertThat(names).contains(
        "accelerator_utilization_ratio", "accelerator_memory_utilization_ratio",
        "accelerator_encoder_utilization_ratio", "accelerator_decoder_utilization_ratio",
        "accelerator_memory_reserved_bytes", "accelerator_bar1_used_bytes", "accelerator_power_watts",
        "accelerator_power_limit_watts", "accelerator_energy_joules_total", "accelerator_memory_temperature_celsius",
        "accelerator_clock_hertz", "accelerator_clock_max_hertz", "accelerator_clock_event_active",
        "accelerator_performance_state", "accelerator_fan_speed_ratio", "accelerator_pcie_link_generation",
        "accelerator_pcie_transmit_bytes_per_second", "accelerator_pcie_replays_total",
        "accelerator_ecc_errors_total", "accelerator_remapped_rows_total", "accelerator_nvlink_errors_total",
        "accelerator_xid_errors_total", "accelerator_last_xid", "accelerator_sm_active_ratio",
        "accelerator_processes", "accelerator_mig_instance_info", "accelerator_device_info");
  }

  @Test
  void baseNameDropsTheTypeSuffix() {
    assertThat(MetricCatalog.ENERGY.baseName()).isEqualTo("accelerator_energy_joules");
    assertThat(MetricCatalog.DEVICE_INFO.baseName()).isEqualTo("accelerator_device");
    assertThat(MetricCatalog.POWER.baseName()).isEqualTo("accelerator_power_watts");
  }

  @Test
  void rejectsANameThatDoesNotCarryItsUnit() {
    assertThatThrownBy(() -> MetricDefinition.gauge("accelerator_power").unit(Unit.WATTS).help("x")
        .nvml("x").build())
        .hasMessageContaining("does not end in _watts");
  }

  @Test
  void rejectsACounterWithoutTotal() {
    assertThatThrownBy(() -> MetricDefinition.counter("accelerator_energy_joules").unit(Unit.JOULES).help("x")
        .nvml("x").build())
        .hasMessageContaining("must end in _total");
  }

  @Test
  void findsByName() {
    assertThat(MetricCatalog.byName("accelerator_power_watts")).contains(MetricCatalog.POWER);
    assertThat(MetricCatalog.byName("nope")).isEmpty();
  }
}
