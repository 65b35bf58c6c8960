package io.acceltel.exporter.nvml;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The JNA structs against the C compiler's layout of the same structs in the test double. */
class NvmlStructLayoutTest {
  private static final NvmlDouble C = NvmlDouble.INSTANCE;

  @Test
  void sizesMatchTheCompiledStructs() {
    assertThat(new NvmlStructs.PciInfo().size()).isEqualTo(C.nvmlDouble_sizeof("nvmlPciInfo_t")).isEqualTo(68);
    assertThat(NvmlStructs.Utilization.SIZE).isEqualTo(C.nvmlDouble_sizeof("nvmlUtilization_t")).isEqualTo(8);
    assertThat(NvmlStructs.MemoryV1.SIZE).isEqualTo(C.nvmlDouble_sizeof("nvmlMemory_t")).isEqualTo(24);
    assertThat(NvmlStructs.MemoryV2.SIZE).isEqualTo(C.nvmlDouble_sizeof("nvmlMemory_v2_t")).isEqualTo(40);
    assertThat(NvmlStructs.TemperatureV1.SIZE).isEqualTo(C.nvmlDouble_sizeof("nvmlTemperature_v1_t")).isEqualTo(12);
    assertThat(NvmlStructs.TemperatureV1.VERSION_1).isEqualTo(NvmlStructs.TemperatureV1.SIZE | 1 << 24);
    assertThat(NvmlStructs.Bar1Memory.SIZE).isEqualTo(C.nvmlDouble_sizeof("nvmlBAR1Memory_t")).isEqualTo(24);
    assertThat(NvmlStructs.FieldValue.SIZE).isEqualTo(C.nvmlDouble_sizeof("nvmlFieldValue_t")).isEqualTo(40);
    assertThat(NvmlStructs.Sample.SIZE).isEqualTo(C.nvmlDouble_sizeof("nvmlSample_t")).isEqualTo(16);
    assertThat(NvmlStructs.ProcessInfo.SIZE).isEqualTo(C.nvmlDouble_sizeof("nvmlProcessInfo_t")).isEqualTo(24);
    assertThat(NvmlStructs.ProcessInfo.DETAIL_SIZE).isEqualTo(C.nvmlDouble_sizeof("nvmlProcessDetail_v1_t"));
    assertThat(new NvmlStructs.EventData().size()).isEqualTo(C.nvmlDouble_sizeof("nvmlEventData_t")).isEqualTo(32);
    assertThat(new NvmlStructs.GpmSupport().size()).isEqualTo(C.nvmlDouble_sizeof("nvmlGpmSupport_t"));
    assertThat(NvmlStructs.GpmMetric.SIZE).isEqualTo(C.nvmlDouble_sizeof("nvmlGpmMetric_t")).isEqualTo(40);
    assertThat(NvmlStructs.GpmMetricsGetHead.FULL_SIZE)
        .isEqualTo(C.nvmlDouble_sizeof("nvmlGpmMetricsGet_t")).isEqualTo(13344);
  }

  @Test
  void fieldOffsetsMatchTheCompiledStructs() {
    NvmlStructs.PciInfo pci = new NvmlStructs.PciInfo();
    NvmlStructs.EventData event = new NvmlStructs.EventData();
    Object[][] offsets = {
      {"nvmlPciInfo_t", "domain", pci.offsetOf("domain")},
      {"nvmlPciInfo_t", "busId", pci.offsetOf("busId")},
      {"nvmlUtilization_t", "gpu", NvmlStructs.Utilization.OFFSET_GPU},
      {"nvmlUtilization_t", "memory", NvmlStructs.Utilization.OFFSET_MEMORY},
      {"nvmlMemory_t", "total", NvmlStructs.MemoryV1.OFFSET_TOTAL},
      {"nvmlMemory_t", "free", NvmlStructs.MemoryV1.OFFSET_FREE},
      {"nvmlMemory_t", "used", NvmlStructs.MemoryV1.OFFSET_USED},
      {"nvmlMemory_v2_t", "version", NvmlStructs.MemoryV2.OFFSET_VERSION},
      {"nvmlTemperature_v1_t", "version", NvmlStructs.TemperatureV1.OFFSET_VERSION},
      {"nvmlTemperature_v1_t", "sensorType", NvmlStructs.TemperatureV1.OFFSET_SENSOR_TYPE},
      {"nvmlTemperature_v1_t", "temperature", NvmlStructs.TemperatureV1.OFFSET_TEMPERATURE},
      {"nvmlMemory_v2_t", "total", NvmlStructs.MemoryV2.OFFSET_TOTAL},
      {"nvmlMemory_v2_t", "reserved", NvmlStructs.MemoryV2.OFFSET_RESERVED},
      {"nvmlMemory_v2_t", "free", NvmlStructs.MemoryV2.OFFSET_FREE},
      {"nvmlMemory_v2_t", "used", NvmlStructs.MemoryV2.OFFSET_USED},
      {"nvmlBAR1Memory_t", "bar1Total", NvmlStructs.Bar1Memory.OFFSET_TOTAL},
      {"nvmlBAR1Memory_t", "bar1Used", NvmlStructs.Bar1Memory.OFFSET_USED},
      {"nvmlFieldValue_t", "valueType", NvmlStructs.FieldValue.OFFSET_VALUE_TYPE},
      {"nvmlFieldValue_t", "nvmlReturn", NvmlStructs.FieldValue.OFFSET_RETURN},
      {"nvmlFieldValue_t", "value", NvmlStructs.FieldValue.OFFSET_VALUE},
      {"nvmlSample_t", "sampleValue", NvmlStructs.Sample.OFFSET_VALUE},
      {"nvmlProcessInfo_t", "usedGpuMemory", NvmlStructs.ProcessInfo.OFFSET_USED_GPU_MEMORY},
      {"nvmlEventData_t", "eventData", event.offsetOf("eventData")},
      {"nvmlEventData_t", "gpuInstanceId", event.offsetOf("gpuInstanceId")},
      {"nvmlGpmMetric_t", "value", NvmlStructs.GpmMetric.OFFSET_VALUE},
      {"nvmlGpmMetricsGet_t", "sample2", NvmlStructs.GpmMetricsGetHead.OFFSET_SAMPLE2},
      {"nvmlGpmMetricsGet_t", "metrics", NvmlStructs.GpmMetricsGetHead.SIZE},
    };
    for (Object[] o : offsets) {
      // The double answers -1 for a struct or field it does not know, so a misspelt name fails here too.
      assertThat(o[2]).as(o[0] + "." + o[1]).isEqualTo(C.nvmlDouble_offsetof((String) o[0], (String) o[1]));
    }
    assertThat(pci.offsetOf("busId")).isEqualTo(36);
    assertThat(NvmlStructs.FieldValue.OFFSET_VALUE).isEqualTo(32);
    assertThat(NvmlStructs.GpmMetricsGetHead.SIZE).isEqualTo(24);
  }

  @Test
  void returnCodesHaveTheirCNames() {
    assertThat(NvmlReturn.name(0)).isEqualTo("NVML_SUCCESS");
    assertThat(NvmlReturn.name(3)).isEqualTo("NVML_ERROR_NOT_SUPPORTED");
    assertThat(NvmlReturn.name(15)).isEqualTo("NVML_ERROR_GPU_IS_LOST");
    assertThat(NvmlReturn.name(25)).isEqualTo("NVML_ERROR_ARGUMENT_VERSION_MISMATCH");
    assertThat(NvmlReturn.name(30)).isEqualTo("NVML_ERROR_RESET_TYPE_NOT_SUPPORTED");
    assertThat(NvmlReturn.name(999)).isEqualTo("NVML_ERROR_UNKNOWN");
    assertThat(NvmlReturn.name(77)).isEqualTo("NVML_ERROR_77");
  }
}
