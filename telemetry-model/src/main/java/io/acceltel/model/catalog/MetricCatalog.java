package io.acceltel.model.catalog;

import static io.acceltel.model.catalog.MetricDefinition.counter;
import static io.acceltel.model.catalog.MetricDefinition.gauge;
import static io.acceltel.model.catalog.MetricDefinition.histogram;
import static io.acceltel.model.catalog.MetricDefinition.info;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one list of every metric acceltel's exporter can emit. Backends, name views, the docs generator and the
 * aggregator's metadata endpoint all read it from here.
 *
 * <p>Names are vendor-neutral, with the unit in the name, so that one dashboard and one alert set cover NVIDIA and
 * Ascend alike. Ratios are 0..1, not percent.
 */
public final class MetricCatalog {
  // ---- identity and state
  public static final MetricDefinition DEVICE_INFO = info("accelerator_device_info")
      .help("Identity of the device; the value is always 1.")
      .labels("serial", "driver_version", "vbios_version", "pci_bus_id", "mig_mode")
      .nvml("nvmlDeviceGetSerial, nvmlSystemGetDriverVersion, nvmlDeviceGetVbiosVersion, "
          + "nvmlDeviceGetPciInfo_v3.busId, nvmlDeviceGetMigMode")
      .dcmi("serial empty; driver_version from dcmi_get_dcmi_version; vbios_version empty; "
          + "pci_bus_id from dcmi_get_device_pcie_info_v2 (%04X:%02X:%02X.%X); mig_mode empty")
      .build();
  public static final MetricDefinition DEVICE_LOST = gauge("accelerator_device_lost")
      .help("1 while the device does not answer (fell off the bus, GPU_IS_LOST, read timed out), else 0. While it "
          + "is 1, the device's other series are its health, its allocation, its recoveries and the XIDs seen "
          + "before the loss.")
      .nvml("return code NVML_ERROR_GPU_IS_LOST (15), or three reads in a row past the tick deadline or failing "
          + "with an unexpected error")
      .dcmi("return code -8008 (device does not exist), -8012 (not ready) from the health call for 5 s, or three "
          + "reads in a row past the tick deadline or failing with an unexpected error")
      .build();

  public static final MetricDefinition DEVICE_RECOVERIES = counter("accelerator_device_recoveries_total")
      .help("Times the device answered again, under its own UUID, after the driver reported it lost: it was reset or "
          + "re-attached. Reads that were only late do not count. Health treats the reset-class XIDs before a "
          + "recovery as dealt with.")
      .nvml("nvmlDeviceGetHandleByUUID and nvmlDeviceGetUUID succeed after NVML_ERROR_GPU_IS_LOST")
      .dcmi("the chip answers again after -8008 (device does not exist)")
      .build();

  // ---- utilization
  public static final MetricDefinition UTILIZATION = gauge("accelerator_utilization_ratio")
      .unit(Unit.RATIO)
      .help("Fraction of time a kernel was running, the time-weighted average of every driver sample within the tick.")
      .nvml("nvmlDeviceGetSamples(GPU_UTILIZATION) drained since the last tick, time-weighted average; "
          + "nvmlDeviceGetUtilizationRates.gpu when the buffer is empty; % / 100")
      .dcmi("AI Core utilization: dcmi_get_device_multi_utilization_rate_period(period 1 s).aicore_util, else "
          + "dcmi_get_device_multi_utilization_rate, else dcmi_get_device_utilization_rate(type 2); % / 100")
      .build();
  public static final MetricDefinition UTILIZATION_MAX = gauge("accelerator_utilization_max_ratio")
      .unit(Unit.RATIO)
      .help("Highest driver utilization sample within the tick, so a spike between ticks is not lost.")
      .nvml("nvmlDeviceGetSamples(GPU_UTILIZATION) drained since the last tick, maximum; % / 100")
      .build();
  public static final MetricDefinition MEMORY_UTILIZATION = gauge("accelerator_memory_utilization_ratio")
      .unit(Unit.RATIO)
      .help("Fraction of time device memory was being read or written.")
      .nvml("nvmlDeviceGetUtilizationRates.memory; % / 100")
      .dcmi("dcmi_get_device_utilization_rate(type 6, HBM); % / 100")
      .build();
  public static final MetricDefinition ENCODER_UTILIZATION = gauge("accelerator_encoder_utilization_ratio")
      .unit(Unit.RATIO)
      .help("Video encoder utilization.")
      .nvml("nvmlDeviceGetEncoderUtilization; % / 100")
      .build();
  public static final MetricDefinition DECODER_UTILIZATION = gauge("accelerator_decoder_utilization_ratio")
      .unit(Unit.RATIO)
      .help("Video decoder utilization.")
      .nvml("nvmlDeviceGetDecoderUtilization; % / 100")
      .build();
  public static final MetricDefinition VECTOR_CORE_UTILIZATION =
      gauge("accelerator_vector_core_utilization_ratio")
          .unit(Unit.RATIO)
          .help("Ascend AI Vector core utilization.")
          .dcmi("dcmi_get_device_multi_utilization_rate[_period].aiv_util, else "
              + "dcmi_get_device_utilization_rate(type 12); % / 100")
          .build();
  public static final MetricDefinition CUBE_CORE_UTILIZATION = gauge("accelerator_cube_core_utilization_ratio")
      .unit(Unit.RATIO)
      .help("Ascend AI Cube core utilization (910B and newer).")
      .dcmi("dcmi_get_device_multi_utilization_rate[_period].aic_util; % / 100")
      .build();
  public static final MetricDefinition OVERALL_UTILIZATION = gauge("accelerator_overall_utilization_ratio")
      .unit(Unit.RATIO)
      .help("Ascend NPU overall utilization, as the driver computes it over all its engines.")
      .dcmi("dcmi_get_device_multi_utilization_rate[_period].npu_util, else "
          + "dcmi_get_device_utilization_rate(type 13); % / 100")
      .build();

  // ---- memory
  public static final MetricDefinition MEMORY_TOTAL = gauge("accelerator_memory_total_bytes")
      .unit(Unit.BYTES)
      .help("Total device memory (framebuffer / HBM).")
      .nvml("nvmlDeviceGetMemoryInfo_v2.total (v1 when v2 is absent)")
      .dcmi("dcmi_get_device_hbm_info.memory_size; MB * 2^20")
      .build();
  public static final MetricDefinition MEMORY_USED = gauge("accelerator_memory_used_bytes")
      .unit(Unit.BYTES)
      .help("Device memory allocated by processes; excludes memory reserved by the driver.")
      .nvml("nvmlDeviceGetMemoryInfo_v2.used (v1 used includes reserved)")
      .dcmi("dcmi_get_device_hbm_info.memory_usage; MB * 2^20")
      .build();
  public static final MetricDefinition MEMORY_FREE = gauge("accelerator_memory_free_bytes")
      .unit(Unit.BYTES)
      .help("Device memory free for allocation.")
      .nvml("nvmlDeviceGetMemoryInfo_v2.free")
      .dcmi("dcmi_get_device_hbm_info, memory_size - memory_usage; MB * 2^20")
      .build();
  public static final MetricDefinition MEMORY_RESERVED = gauge("accelerator_memory_reserved_bytes")
      .unit(Unit.BYTES)
      .help("Device memory reserved by the driver and firmware.")
      .nvml("nvmlDeviceGetMemoryInfo_v2.reserved")
      .build();
  public static final MetricDefinition BAR1_USED = gauge("accelerator_bar1_used_bytes")
      .unit(Unit.BYTES)
      .help("BAR1 (host-mapped) memory in use.")
      .nvml("nvmlDeviceGetBAR1MemoryInfo.bar1Used")
      .build();
  public static final MetricDefinition BAR1_TOTAL = gauge("accelerator_bar1_total_bytes")
      .unit(Unit.BYTES)
      .help("BAR1 (host-mapped) memory size.")
      .nvml("nvmlDeviceGetBAR1MemoryInfo.bar1Total")
      .build();

  // ---- power and energy
  public static final MetricDefinition POWER = gauge("accelerator_power_watts")
      .unit(Unit.WATTS)
      .help("Board power draw, the time-weighted average of every driver sample within the tick.")
      .nvml("nvmlDeviceGetSamples(TOTAL_POWER) drained since the last tick, time-weighted average; "
          + "nvmlDeviceGetPowerUsage when the buffer is empty; mW / 1000")
      .dcmi("dcmi_get_device_power_info; 0.1 W / 10")
      .build();
  public static final MetricDefinition POWER_MAX = gauge("accelerator_power_max_watts")
      .unit(Unit.WATTS)
      .help("Highest driver power sample (about every 20 ms) within the tick.")
      .nvml("nvmlDeviceGetSamples(TOTAL_POWER) drained since the last tick, maximum; mW / 1000")
      .build();
  public static final MetricDefinition POWER_LIMIT = gauge("accelerator_power_limit_watts")
      .unit(Unit.WATTS)
      .help("Power limit the driver enforces.")
      .nvml("nvmlDeviceGetEnforcedPowerLimit; mW / 1000")
      .build();
  public static final MetricDefinition ENERGY = counter("accelerator_energy_joules_total")
      .unit(Unit.JOULES)
      .help("Energy consumed since the driver was loaded. Read off the tick's critical path (the call costs ~3 ms).")
      .nvml("nvmlDeviceGetTotalEnergyConsumption, read asynchronously; mJ / 1000")
      .build();

  // ---- temperature
  public static final MetricDefinition TEMPERATURE = gauge("accelerator_temperature_celsius")
      .unit(Unit.CELSIUS)
      .help("Die temperature.")
      .nvml("nvmlDeviceGetTemperature(NVML_TEMPERATURE_GPU); nvmlDeviceGetTemperatureV on a driver without it")
      .dcmi("dcmi_get_device_temperature (absent on the -275 failure sentinel)")
      .build();
  public static final MetricDefinition MEMORY_TEMPERATURE = gauge("accelerator_memory_temperature_celsius")
      .unit(Unit.CELSIUS)
      .help("HBM temperature, where the device reports it.")
      .nvml("nvmlDeviceGetFieldValues(NVML_FI_DEV_MEMORY_TEMP=82)")
      .dcmi("dcmi_get_device_hbm_info.temp")
      .build();
  public static final MetricDefinition TEMPERATURE_SLOWDOWN = gauge("accelerator_temperature_slowdown_celsius")
      .unit(Unit.CELSIUS)
      .help("Temperature at which the device slows its clocks.")
      .nvml("nvmlDeviceGetTemperatureThreshold(NVML_TEMPERATURE_THRESHOLD_SLOWDOWN), read once (fields 193/194 "
          + "are margins to T.Limit, not temperatures)")
      .build();
  public static final MetricDefinition TEMPERATURE_SHUTDOWN = gauge("accelerator_temperature_shutdown_celsius")
      .unit(Unit.CELSIUS)
      .help("Temperature at which the device shuts down.")
      .nvml("nvmlDeviceGetTemperatureThreshold(NVML_TEMPERATURE_THRESHOLD_SHUTDOWN), read once")
      .build();

  // ---- clocks
  public static final MetricDefinition CLOCK = gauge("accelerator_clock_hertz")
      .unit(Unit.HERTZ)
      .help("Current clock frequency, by clock domain (sm, memory, graphics).")
      .labels("clock")
      .nvml("nvmlDeviceGetClockInfo(SM | MEM | GRAPHICS); MHz * 1e6")
      .dcmi("dcmi_get_device_frequency(AICORE_CURRENT 7 as clock=aicore, HBM 6 as clock=memory); MHz * 1e6")
      .build();
  public static final MetricDefinition CLOCK_MAX = gauge("accelerator_clock_max_hertz")
      .unit(Unit.HERTZ)
      .help("Maximum clock frequency, by clock domain (sm, memory, graphics).")
      .labels("clock")
      .nvml("nvmlDeviceGetMaxClockInfo(SM | MEM | GRAPHICS); MHz * 1e6")
      .dcmi("dcmi_get_device_frequency(AICORE_MAX 9) as clock=aicore; MHz * 1e6")
      .build();
  public static final MetricDefinition CLOCK_EVENT = gauge("accelerator_clock_event_active")
      .help("1 while the clock event (throttle) reason is active, else 0; one series per reason NVML defines.")
      .labels("reason")
      .nvml("nvmlDeviceGetCurrentClocksEventReasons bitmask")
      .build();
  public static final MetricDefinition CLOCK_LIMITED = counter("accelerator_clock_limited_seconds_total")
      .unit(Unit.SECONDS)
      .help("Time the clocks were held below their target since the driver was loaded, by limit (power, thermal, "
          + "sync_boost, board_limit, low_utilization, reliability; below_application_clocks and "
          + "below_base_clocks by any limit). Its rate is the fraction of time throttled, exact where a 1 s "
          + "sample of the throttle reasons can miss short episodes.")
      .labels("limit")
      .nvml("nvmlDeviceGetFieldValues(NVML_FI_DEV_PERF_POLICY_POWER..TOTAL_BASE_CLOCKS=74..81), read "
          + "asynchronously (a field can cost milliseconds); ns / 1e9")
      .build();

  // ---- performance state and cooling
  public static final MetricDefinition PSTATE = gauge("accelerator_performance_state")
      .help("Performance state: 0 is maximum performance, 15 minimum.")
      .nvml("nvmlDeviceGetPerformanceState")
      .build();
  public static final MetricDefinition FAN_SPEED = gauge("accelerator_fan_speed_ratio")
      .unit(Unit.RATIO)
      .help("Fan speed as a fraction of its maximum (may exceed 1); absent on passively cooled boards.")
      .nvml("nvmlDeviceGetFanSpeed; % / 100")
      .build();

  // ---- PCIe
  public static final MetricDefinition PCIE_LINK_GEN = gauge("accelerator_pcie_link_generation")
      .help("Current PCIe link generation.")
      .nvml("nvmlDeviceGetCurrPcieLinkGeneration")
      .build();
  public static final MetricDefinition PCIE_LINK_GEN_MAX = gauge("accelerator_pcie_link_max_generation")
      .help("Maximum PCIe link generation of the device and system.")
      .nvml("nvmlDeviceGetMaxPcieLinkGeneration")
      .build();
  public static final MetricDefinition PCIE_LINK_WIDTH = gauge("accelerator_pcie_link_width")
      .help("Current PCIe link width in lanes.")
      .nvml("nvmlDeviceGetCurrPcieLinkWidth")
      .build();
  public static final MetricDefinition PCIE_LINK_WIDTH_MAX = gauge("accelerator_pcie_link_max_width")
      .help("Maximum PCIe link width in lanes.")
      .nvml("nvmlDeviceGetMaxPcieLinkWidth")
      .build();
  public static final MetricDefinition PCIE_TX = gauge("accelerator_pcie_transmit_bytes_per_second")
      .unit(Unit.BYTES_PER_SECOND)
      .help("PCIe bytes sent by the device per second over the last tick. The driver's counter is 32-bit on H100: "
          + "above 4 GiB in one interval it wraps more than once and the rate reads low; on Hopper and newer "
          + "accelerator_profiled_pcie_transmit_bytes_per_second has no such limit.")
      .nvml("nvmlDeviceGetFieldValues(NVML_FI_DEV_PCIE_COUNT_TX_BYTES=197), delta per tick, corrected for one wrap "
          + "(not nvmlDeviceGetPcieThroughput, which blocks for 20 ms)")
      .build();
  public static final MetricDefinition PCIE_RX = gauge("accelerator_pcie_receive_bytes_per_second")
      .unit(Unit.BYTES_PER_SECOND)
      .help("PCIe bytes received by the device per second over the last tick. The driver's counter is 32-bit on "
          + "H100: above 4 GiB in one interval it wraps more than once and the rate reads low; on Hopper and newer "
          + "accelerator_profiled_pcie_receive_bytes_per_second has no such limit.")
      .nvml("nvmlDeviceGetFieldValues(NVML_FI_DEV_PCIE_COUNT_RX_BYTES=198), delta per tick, corrected for one wrap")
      .build();
  public static final MetricDefinition PCIE_REPLAY = counter("accelerator_pcie_replays_total")
      .help("PCIe replay (retry) count.")
      .nvml("nvmlDeviceGetPcieReplayCounter")
      .build();

  // ---- ECC and row remapping
  public static final MetricDefinition ECC_ERRORS = counter("accelerator_ecc_errors_total")
      .help("ECC errors by type (corrected, uncorrected) and scope (volatile: since driver load; aggregate: lifetime).")
      .labels("error", "scope")
      .nvml("nvmlDeviceGetTotalEccErrors(CORRECTED | UNCORRECTED, VOLATILE | AGGREGATE)")
      .dcmi("dcmi_get_device_ecc_info(HBM): single_bit_error_cnt / double_bit_error_cnt (volatile), "
          + "total_single_bit_error_cnt / total_double_bit_error_cnt (aggregate); corrected = single-bit")
      .build();
  public static final MetricDefinition REMAPPED_ROWS = counter("accelerator_remapped_rows_total")
      .help("Memory rows remapped, by cause (correctable, uncorrectable).")
      .labels("error")
      .nvml("nvmlDeviceGetRemappedRows(corrRows, uncRows)")
      .build();
  public static final MetricDefinition ROW_REMAP_PENDING = gauge("accelerator_row_remap_pending")
      .help("1 when a row remap is pending and the device needs a reset, else 0.")
      .nvml("nvmlDeviceGetRemappedRows(isPending)")
      .build();
  public static final MetricDefinition ROW_REMAP_FAILED = gauge("accelerator_row_remap_failed")
      .help("1 when a row remap has failed (the device should be replaced), else 0.")
      .nvml("nvmlDeviceGetRemappedRows(failureOccurred)")
      .build();

  // ---- driver-reported health (Ascend DCMI)
  public static final MetricDefinition RECOVERY_ACTION = gauge("accelerator_recovery_action")
      .help("What the driver says the GPU needs to recover: 0 nothing, 1 a GPU reset, 2 a node reboot, 3 draining "
          + "peer-to-peer traffic (then read again), 4 draining work and a reset (running at reduced capacity); "
          + "higher values are newer actions of the driver's nvml.h. XID 154 announces each change.")
      .nvml("nvmlDeviceGetFieldValues(NVML_FI_DEV_GET_GPU_RECOVERY_ACTION = 230), driver R570 and newer")
      .build();
  public static final MetricDefinition DRIVER_ALARM_LEVEL = gauge("accelerator_driver_alarm_level")
      .help("Health alarm level the driver reports for the device: 0 none, 1 minor, 2 major, 3 critical.")
      .dcmi("dcmi_get_device_health")
      .build();
  public static final MetricDefinition DRIVER_ERROR_CODES = gauge("accelerator_driver_error_codes")
      .help("Number of error codes the driver currently reports for the device.")
      .dcmi("dcmi_get_device_errorcode_v2 error_count (list of up to 128)")
      .build();
  public static final MetricDefinition DRIVER_ERROR_CODE = gauge("accelerator_driver_error_code_active")
      .help("1 for each error code the driver currently reports, labelled by the code in hex (0x80E01801); "
          + "one series per code, at most 128.")
      .labels("code")
      .dcmi("dcmi_get_device_errorcode_v2 error_code_list")
      .build();
  public static final MetricDefinition NETWORK_HEALTHY = gauge("accelerator_network_healthy")
      .help("1 when the driver's health check of the device's own network port (RoCE) passes, else 0.")
      .dcmi("dcmi_get_device_network_health: 0 (OK) or 6 (DCMI_RDFX_DETECT_INIT, never probed) is healthy")
      .build();

  // ---- NVLink
  public static final MetricDefinition NVLINK_UP = gauge("accelerator_nvlink_up")
      .help("1 when the NVLink link is active, else 0; one series per link the device has.")
      .labels("link")
      .nvml("nvmlDeviceGetNvLinkState(link)")
      .build();
  public static final MetricDefinition NVLINK_ERRORS = counter("accelerator_nvlink_errors_total")
      .help("NVLink error counters per link, by kind (crc_flit, crc_data, replay, recovery).")
      .labels("link", "error")
      .nvml("nvmlDeviceGetNvLinkErrorCounter(link, DL_CRC_FLIT | DL_CRC_DATA | DL_REPLAY | DL_RECOVERY)")
      .build();
  public static final MetricDefinition NVLINK_TX = gauge("accelerator_nvlink_transmit_bytes_per_second")
      .unit(Unit.BYTES_PER_SECOND)
      .help("NVLink data bytes sent per second over the last tick, all links.")
      .nvml("nvmlDeviceGetFieldValues(NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX=138, scopeId=UINT_MAX), KiB delta per tick")
      .build();
  public static final MetricDefinition NVLINK_RX = gauge("accelerator_nvlink_receive_bytes_per_second")
      .unit(Unit.BYTES_PER_SECOND)
      .help("NVLink data bytes received per second over the last tick, all links.")
      .nvml("nvmlDeviceGetFieldValues(NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_RX=139, scopeId=UINT_MAX), KiB delta per tick")
      .build();

  // ---- XID
  public static final MetricDefinition XID_ERRORS = counter("accelerator_xid_errors_total")
      .help("XID errors reported by the driver, by XID code, since the exporter started. A code's series appears "
          + "with its first XID, already at 1, which increase() cannot see: alert with "
          + "`increase(accelerator_xid_errors_total[5m]) > 0 or (changes(accelerator_last_xid[5m]) > 0 and "
          + "accelerator_last_xid > 0)`.")
      .labels("xid")
      .nvml("nvmlEventSetWait_v2 on nvmlEventTypeXidCriticalError, in a dedicated thread")
      .build();
  public static final MetricDefinition LAST_XID = gauge("accelerator_last_xid")
      .help("The most recent XID code seen since the exporter started; 0 when none. Absent (as are the XID "
          + "counters) for a device whose XIDs cannot be watched: no NVML event set, or the driver refused to "
          + "register the device for XID events. A lost device, which cannot be watched, keeps what was seen "
          + "before the loss.")
      .nvml("nvmlEventSetWait_v2 on nvmlEventTypeXidCriticalError, eventData")
      .build();

  // ---- device health, derived by the exporter from the readings above
  public static final MetricDefinition HEALTH_STATE = gauge("accelerator_health_state")
      .help("1 for the device's current health state (healthy, degraded, failed), 0 for the other two; "
          + "see docs/health.md for the rules.")
      .labels("state")
      .source(Source.EXPORTER, "health rules over each tick's readings (docs/health.md)")
      .build();
  public static final MetricDefinition HEALTH_REASON = gauge("accelerator_health_reason_active")
      .help("1 for each reason the device is not healthy, e.g. reason=\"xid_79\"; absent when healthy.")
      .labels("reason", "state")
      .source(Source.EXPORTER, "health rules over each tick's readings (docs/health.md)")
      .build();

  // ---- profiling (GPM, Hopper and newer)
  public static final MetricDefinition GRAPHICS_ENGINE_ACTIVE = gpm("accelerator_graphics_engine_active_ratio",
      "Fraction of time the graphics/compute engine was active.", "GRAPHICS_UTIL=1");
  public static final MetricDefinition SM_ACTIVE = gpm("accelerator_sm_active_ratio",
      "Fraction of cycles an SM had at least one warp assigned, averaged over SMs.", "SM_UTIL=2");
  public static final MetricDefinition SM_OCCUPANCY = gpm("accelerator_sm_occupancy_ratio",
      "Resident warps relative to the theoretical maximum, averaged over SMs.", "SM_OCCUPANCY=3");
  public static final MetricDefinition TENSOR_ACTIVE = gpm("accelerator_tensor_pipe_active_ratio",
      "Fraction of cycles any tensor pipe was active.", "ANY_TENSOR_UTIL=5");
  public static final MetricDefinition DRAM_ACTIVE = gpm("accelerator_dram_active_ratio",
      "Fraction of cycles the device memory interface was sending or receiving.", "DRAM_BW_UTIL=10");
  public static final MetricDefinition FP64_ACTIVE = gpm("accelerator_fp64_pipe_active_ratio",
      "Fraction of cycles the FP64 pipe was active.", "FP64_UTIL=11");
  public static final MetricDefinition FP32_ACTIVE = gpm("accelerator_fp32_pipe_active_ratio",
      "Fraction of cycles the FP32 pipe was active.", "FP32_UTIL=12");
  public static final MetricDefinition FP16_ACTIVE = gpm("accelerator_fp16_pipe_active_ratio",
      "Fraction of cycles the FP16 pipe was active.", "FP16_UTIL=13");
  public static final MetricDefinition PROFILED_PCIE_TX = gpmBytes("accelerator_profiled_pcie_transmit_bytes_per_second",
      "PCIe bytes sent per second including protocol headers, from the profiler.", "PCIE_TX_PER_SEC=20");
  public static final MetricDefinition PROFILED_PCIE_RX = gpmBytes("accelerator_profiled_pcie_receive_bytes_per_second",
      "PCIe bytes received per second including protocol headers, from the profiler.", "PCIE_RX_PER_SEC=21");
  public static final MetricDefinition PROFILED_NVLINK_TX = gpmBytes(
      "accelerator_profiled_nvlink_transmit_bytes_per_second",
      "NVLink bytes sent per second, all links, from the profiler.", "NVLINK_TOTAL_TX_PER_SEC=61");
  public static final MetricDefinition PROFILED_NVLINK_RX = gpmBytes(
      "accelerator_profiled_nvlink_receive_bytes_per_second",
      "NVLink bytes received per second, all links, from the profiler.", "NVLINK_TOTAL_RX_PER_SEC=60");

  // ---- compute processes
  public static final MetricDefinition PROCESSES = gauge("accelerator_processes")
      .help("Number of compute processes on the device.")
      .nvml("nvmlDeviceGetComputeRunningProcesses_v3, entry count (stride probed: 24 or 32 bytes)")
      .build();
  public static final MetricDefinition PROCESS_MEMORY = gauge("accelerator_process_memory_used_bytes")
      .unit(Unit.BYTES)
      .help("Device memory used by compute processes, summed; one series per device, not per process.")
      .nvml("nvmlDeviceGetComputeRunningProcesses_v3, sum of usedGpuMemory")
      .build();

  // ---- MIG
  /**
   * The label naming the MIG instance a series is about. Attribution joins on it: such series carry the holder of
   * that instance, not of the whole GPU.
   */
  public static final String MIG_UUID = "mig_uuid";
  public static final MetricDefinition MIG_INFO = info("accelerator_mig_instance_info")
      .help("One series per MIG instance, so attribution by MIG UUID can join on it; the value is always 1.")
      .labels(MIG_UUID, "gpu_instance", "compute_instance", "mig_profile")
      .nvml("nvmlDeviceGetMigDeviceHandleByIndex, nvmlDeviceGetUUID, nvmlDeviceGetGpuInstanceId, "
          + "nvmlDeviceGetComputeInstanceId, nvmlDeviceGetName")
      .build();
  public static final MetricDefinition MIG_MEMORY_USED = gauge("accelerator_mig_memory_used_bytes")
      .unit(Unit.BYTES)
      .help("Memory used within a MIG instance.")
      .labels(MIG_UUID, "gpu_instance")
      .nvml("nvmlDeviceGetMemoryInfo on the MIG device handle")
      .build();
  public static final MetricDefinition MIG_MEMORY_TOTAL = gauge("accelerator_mig_memory_total_bytes")
      .unit(Unit.BYTES)
      .help("Memory size of a MIG instance.")
      .labels(MIG_UUID, "gpu_instance")
      .nvml("nvmlDeviceGetMemoryInfo on the MIG device handle")
      .build();

  // ---- attribution (Kubernetes)
  public static final MetricDefinition ALLOCATED = gauge("accelerator_allocated")
      .help("1 while the kubelet has allocated the device (or one of its MIG instances) to a container, else 0; "
          + "allocated devices carry namespace, pod and container labels.")
      .source(Source.KUBERNETES, "kubelet PodResources v1 List: device_ids of the configured resource names "
          + "(GPU UUID, GPU-UUID::N, MIG UUID, Ascend910-<physical id>), refreshed in the background")
      .build();
  public static final MetricDefinition HOLDERS = gauge("accelerator_holders")
      .help("Running containers that hold the device: the whole device, a time-sliced or MPS replica of it, or one "
          + "of its MIG instances. Above 1 the device is shared, and its device-wide series carry the labels of "
          + "the first holder in (namespace, pod, container) order; 0 when free.")
      .source(Source.KUBERNETES, "kubelet PodResources v1 List (device plugin ids and DRA claims), containers of "
          + "pods not yet finished")
      .build();

  // ---- the exporter's own metrics
  public static final MetricDefinition TICK_DURATION = histogram("acceltel_exporter_tick_duration_seconds")
      .unit(Unit.SECONDS)
      .help("Time from the start of a tick until its snapshot was published.")
      .selfMetric("collection loop")
      .build();
  public static final MetricDefinition TICKS = counter("acceltel_exporter_ticks_total")
      .help("Ticks completed.")
      .selfMetric("collection loop")
      .build();
  public static final MetricDefinition DEVICE_READ_OVERRUNS = counter("acceltel_exporter_device_read_overruns_total")
      .help("Device reads that missed their tick's deadline, by device; the tick was published without them.")
      .labels("device")
      .selfMetric("collection loop")
      .build();
  public static final MetricDefinition BACKEND_ERRORS = counter("acceltel_exporter_backend_errors_total")
      .help("Native calls that failed with anything other than NOT_SUPPORTED, by function and return code.")
      .labels("backend", "function", "code")
      .selfMetric("every native call")
      .build();
  public static final MetricDefinition DEVICES_LEFT_OUT = gauge("acceltel_exporter_devices_left_out")
      .help("Devices the driver counted at start that could not be read at all (no handle, no UUID, lost), so "
          + "they have no series; each is logged at start with the reason. The exporter tries again every 30 s and "
          + "a device that opens gets its series. Above 0: check the node with nvidia-smi or npu-smi.")
      .selfMetric("device backend")
      .build();
  public static final MetricDefinition LAST_TICK = gauge("acceltel_exporter_last_tick_timestamp_seconds")
      .unit(Unit.SECONDS)
      .help("Wall-clock time of the tick that /metrics serves.")
      .selfMetric("collection loop")
      .build();
  public static final MetricDefinition ATTRIBUTION_STALENESS = gauge("acceltel_exporter_attribution_staleness_seconds")
      .unit(Unit.SECONDS)
      .help("Seconds since attribution data was last known to be current, by source (kubelet: last successful "
          + "List; apiserver: last time the pod watch was up); 0 while current. Labels are kept meanwhile. +Inf "
          + "for both when attribution could not start (see the log): no series carries pod labels then.")
      .labels("source")
      .selfMetric("attribution: kubelet PodResources poller and API server pod watch")
      .build();
  public static final MetricDefinition KUBELET_ERRORS = counter("acceltel_exporter_kubelet_errors_total")
      .help("Failed kubelet PodResources calls, by call (List, GetAllocatableResources) and gRPC status code.")
      .labels("call", "code")
      .selfMetric("attribution: kubelet PodResources poller")
      .build();
  public static final MetricDefinition POD_WATCH_ERRORS = counter("acceltel_exporter_pod_watch_errors_total")
      .help("Times the API server pod watch failed (list or watch error); the last known pod labels are kept.")
      .selfMetric("attribution: API server pod watch")
      .build();
  public static final MetricDefinition RESOURCESLICE_WATCH_ERRORS =
      counter("acceltel_exporter_resourceslice_watch_errors_total")
          .help("Times the API server ResourceSlice watch failed (list or watch error, 403 without the RBAC rule); "
              + "devices held through DRA claims keep their last known join. An API server without "
              + "resource.k8s.io/v1 is not an error: the watch stops, once.")
          .selfMetric("attribution: API server ResourceSlice watch (DRA)")
          .build();

  // ---- the Kafka sink
  public static final MetricDefinition KAFKA_SEND_LATENCY = histogram("acceltel_exporter_kafka_send_seconds")
      .unit(Unit.SECONDS)
      .help("Time from handing a tick to the Kafka producer until the broker acknowledged it (acks=all); while a "
          + "spooled backlog drains, of a batch of up to 16 ticks sent together, until the last was acknowledged.")
      .selfMetric("Kafka sink")
      .build();
  public static final MetricDefinition KAFKA_BUFFERED = gauge("acceltel_exporter_kafka_buffered_ticks")
      .help("Ticks held in memory because Kafka has not acknowledged them yet; bounded by kafka.buffer-ticks and a "
          + "quarter of the heap.")
      .selfMetric("Kafka sink")
      .build();
  public static final MetricDefinition KAFKA_SPOOLED_TICKS = gauge("acceltel_exporter_kafka_spooled_ticks")
      .help("Ticks in the on-disk spool that Kafka has not acknowledged yet. Only with kafka.spool-dir.")
      .selfMetric("Kafka sink")
      .build();
  public static final MetricDefinition KAFKA_SPOOLED_BYTES = gauge("acceltel_exporter_kafka_spooled_bytes")
      .unit(Unit.BYTES)
      .help("Bytes of the on-disk spool's segment files; bounded by kafka.spool-max-bytes. Only with kafka.spool-dir.")
      .selfMetric("Kafka sink")
      .build();
  public static final MetricDefinition KAFKA_LAG = gauge("acceltel_exporter_kafka_lag_seconds")
      .unit(Unit.SECONDS)
      .help("Age of the oldest tick Kafka has not acknowledged, in memory or in the spool; 0 when all are. It grows "
          + "by a second per second while Kafka is away: alert on it to learn that the stream is behind.")
      .selfMetric("Kafka sink")
      .build();
  public static final MetricDefinition KAFKA_SPOOL_CORRUPT_BYTES =
      counter("acceltel_exporter_kafka_spool_corrupt_bytes_total")
      .unit(Unit.BYTES)
      .help("Bytes of spool segments skipped on start because a record in them was torn (a crash mid-write) or "
          + "corrupt, or because the segment could not be read at all (an I/O error, permissions). The ticks in them "
          + "are lost and, their number being unknown, not counted in "
          + "acceltel_exporter_kafka_dropped_ticks_total. Only with kafka.spool-dir.")
      .selfMetric("Kafka sink")
      .build();
  public static final MetricDefinition KAFKA_SENT = counter("acceltel_exporter_kafka_sent_ticks_total")
      .help("Ticks the broker acknowledged.")
      .selfMetric("Kafka sink")
      .build();
  public static final MetricDefinition KAFKA_DROPPED = counter("acceltel_exporter_kafka_dropped_ticks_total")
      .help("Ticks dropped, oldest first, because the buffer (and the spool, when configured) was full while Kafka "
          + "was unreachable, because the broker refused them for good (larger than the topic allows), because the "
          + "spool refused them (over its 8 MiB record limit, or the disk refused the write), or because they were "
          + "in flight from a spool segment dropped over the bound when the exporter stopped.")
      .selfMetric("Kafka sink")
      .build();
  public static final MetricDefinition KAFKA_SEND_FAILURES = counter("acceltel_exporter_kafka_send_failures_total")
      .help("Send attempts that failed and will be retried (broker unreachable, timeout), one per attempt at a "
          + "batch of up to 16 spooled ticks; also producers that could not be built yet (names not resolving).")
      .selfMetric("Kafka sink")
      .build();
  // The aggregator's listener serves these two under the same names, so one alert covers both components.
  public static final MetricDefinition LISTENER_CERTIFICATE_EXPIRY =
      gauge("acceltel_listener_certificate_expiry_timestamp_seconds")
          .unit(Unit.SECONDS)
          .help("Expiry (notAfter) of the TLS certificate the listener serves. Only with listen.tls-cert-file; a "
              + "renewal that does not load shows here long before clients refuse the certificate.")
          .selfMetric("HTTPS listener")
          .build();
  public static final MetricDefinition LISTENER_CERTIFICATE_RELOAD_SUCCESSFUL =
      gauge("acceltel_listener_certificate_last_reload_successful")
          .help("1 while the listener serves its TLS files as they are on disk; 0 while changed files do not load "
              + "(not a matching pair, unreadable), and the previous certificate is still served. Only with "
              + "listen.tls-cert-file.")
          .selfMetric("HTTPS listener")
          .build();

  private static final List<MetricDefinition> ALL = collectConstants();
  private static final Map<String, MetricDefinition> BY_NAME = indexByName(ALL);

  private MetricCatalog() {}

  /** Every metric, in declaration order. */
  public static List<MetricDefinition> all() {
    return ALL;
  }

  public static Optional<MetricDefinition> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  private static MetricDefinition gpm(String name, String help, String metricId) {
    return gauge(name).unit(Unit.RATIO).help(help + " Hopper and newer only; absent elsewhere.")
        .nvml("GPM: nvmlGpmMetricsGet(NVML_GPM_METRIC_" + metricId + ") over two samples a tick apart; % / 100")
        .build();
  }

  private static MetricDefinition gpmBytes(String name, String help, String metricId) {
    return gauge(name).unit(Unit.BYTES_PER_SECOND).help(help + " Hopper and newer only; absent elsewhere.")
        .nvml("GPM: nvmlGpmMetricsGet(NVML_GPM_METRIC_" + metricId + "); MiB/s * 2^20")
        .build();
  }

  private static List<MetricDefinition> collectConstants() {
    List<MetricDefinition> list = new ArrayList<>();
    for (Field field : MetricCatalog.class.getDeclaredFields()) {
      int mod = field.getModifiers();
      if (Modifier.isStatic(mod) && Modifier.isPublic(mod) && field.getType() == MetricDefinition.class) {
        try {
          list.add((MetricDefinition) field.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return Collections.unmodifiableList(list);
  }

  private static Map<String, MetricDefinition> indexByName(List<MetricDefinition> all) {
    Map<String, MetricDefinition> map = new LinkedHashMap<>();
    for (MetricDefinition m : all) {
      if (map.put(m.name(), m) != null) {
        throw new IllegalStateException("duplicate metric name in the catalog: " + m.name());
      }
    }
    return Collections.unmodifiableMap(map);
  }
}
