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
    assertThat(pci.offsetOf("domain")).isEqualTo(C.nvmlDouble_offsetof("nvmlPciInfo_t", "domain"));
    assertThat(pci.offsetOf("busId")).isEqualTo(C.nvmlDouble_offsetof("nvmlPciInfo_t", "busId")).isEqualTo(36);
    assertThat(NvmlStructs.Utilization.OFFSET_GPU).isEqualTo(C.nvmlDouble_offsetof("nvmlUtilization_t", "gpu"));
    assertThat(NvmlStructs.Utilization.OFFSET_MEMORY)
        .isEqualTo(C.nvmlDouble_offsetof("nvmlUtilization_t", "memory"));
    assertThat(NvmlStructs.MemoryV1.OFFSET_TOTAL).isEqualTo(C.nvmlDouble_offsetof("nvmlMemory_t", "total"));
    assertThat(NvmlStructs.MemoryV1.OFFSET_FREE).isEqualTo(C.nvmlDouble_offsetof("nvmlMemory_t", "free"));
    assertThat(NvmlStructs.MemoryV1.OFFSET_USED).isEqualTo(C.nvmlDouble_offsetof("nvmlMemory_t", "used"));
    assertThat(NvmlStructs.MemoryV2.OFFSET_VERSION).isEqualTo(C.nvmlDouble_offsetof("nvmlMemory_v2_t", "version"));
    assertThat(NvmlStructs.MemoryV2.OFFSET_TOTAL).isEqualTo(C.nvmlDouble_offsetof("nvmlMemory_v2_t", "total"));
    assertThat(NvmlStructs.MemoryV2.OFFSET_RESERVED)
        .isEqualTo(C.nvmlDouble_offsetof("nvmlMemory_v2_t", "reserved"));
    assertThat(NvmlStructs.MemoryV2.OFFSET_FREE).isEqualTo(C.nvmlDouble_offsetof("nvmlMemory_v2_t", "free"));
    assertThat(NvmlStructs.MemoryV2.OFFSET_USED).isEqualTo(C.nvmlDouble_offsetof("nvmlMemory_v2_t", "used"));
    assertThat(NvmlStructs.Bar1Memory.OFFSET_TOTAL)
        .isEqualTo(C.nvmlDouble_offsetof("nvmlBAR1Memory_t", "bar1Total"));
    assertThat(NvmlStructs.Bar1Memory.OFFSET_USED).isEqualTo(C.nvmlDouble_offsetof("nvmlBAR1Memory_t", "bar1Used"));
    assertThat(NvmlStructs.FieldValue.OFFSET_VALUE_TYPE).isEqualTo(C.nvmlDouble_offsetof("nvmlFieldValue_t", "valueType"));
    assertThat(NvmlStructs.FieldValue.OFFSET_RETURN).isEqualTo(C.nvmlDouble_offsetof("nvmlFieldValue_t", "nvmlReturn"));
    assertThat(NvmlStructs.FieldValue.OFFSET_VALUE).isEqualTo(C.nvmlDouble_offsetof("nvmlFieldValue_t", "value"))
        .isEqualTo(32);
    assertThat(NvmlStructs.Sample.OFFSET_VALUE).isEqualTo(C.nvmlDouble_offsetof("nvmlSample_t", "sampleValue"));
    assertThat(NvmlStructs.ProcessInfo.OFFSET_USED_GPU_MEMORY)
        .isEqualTo(C.nvmlDouble_offsetof("nvmlProcessInfo_t", "usedGpuMemory"));
    NvmlStructs.EventData event = new NvmlStructs.EventData();
    assertThat(event.offsetOf("eventData")).isEqualTo(C.nvmlDouble_offsetof("nvmlEventData_t", "eventData"));
    assertThat(event.offsetOf("gpuInstanceId")).isEqualTo(C.nvmlDouble_offsetof("nvmlEventData_t", "gpuInstanceId"));
    assertThat(NvmlStructs.GpmMetric.OFFSET_VALUE).isEqualTo(C.nvmlDouble_offsetof("nvmlGpmMetric_t", "value"));
    assertThat(NvmlStructs.GpmMetricsGetHead.OFFSET_SAMPLE2)
        .isEqualTo(C.nvmlDouble_offsetof("nvmlGpmMetricsGet_t", "sample2"));
    assertThat(NvmlStructs.GpmMetricsGetHead.SIZE)
        .isEqualTo(C.nvmlDouble_offsetof("nvmlGpmMetricsGet_t", "metrics")).isEqualTo(24);
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
