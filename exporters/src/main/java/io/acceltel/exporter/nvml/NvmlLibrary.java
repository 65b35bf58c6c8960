package io.acceltel.exporter.nvml;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * The JNA binding of the part of libnvidia-ml that acceltel calls. Every method returns an {@code nvmlReturn_t}
 * (see {@link NvmlReturn}); outputs are valid only when it is {@link NvmlReturn#SUCCESS}.
 *
 * <p>Symbols are the <em>versioned</em> ones the C header {@code #define}s the plain names to
 * ({@code nvmlInit_v2}, {@code nvmlDeviceGetCount_v2}, ...): JNA binds by exported symbol, and the old v1 symbols
 * are still exported with different behaviour (v1 {@code nvmlDeviceGetCount} skips devices without permission).
 *
 * <p>Out-parameters are plain {@link Pointer}s into buffers each reader allocates once and reuses
 * ({@link NativeOut}), so the per-tick path allocates no native memory. Opaque handles ({@code nvmlDevice_t},
 * {@code nvmlEventSet_t}, {@code nvmlGpmSample_t}) are {@link Pointer}s.
 *
 * <pre>{@code
 * NvmlLibrary nvml = Native.load("libnvidia-ml.so.1", NvmlLibrary.class);
 * int rc = nvml.nvmlInit_v2();
 * }</pre>
 */
public interface NvmlLibrary extends Library {
  // ---- constants from nvml.h
  int NVML_DEVICE_NAME_V2_BUFFER_SIZE = 96;
  int NVML_DEVICE_UUID_V2_BUFFER_SIZE = 96;
  int NVML_SYSTEM_VERSION_BUFFER_SIZE = 80;
  int NVML_DEVICE_SERIAL_BUFFER_SIZE = 30;
  int NVML_DEVICE_VBIOS_VERSION_BUFFER_SIZE = 32;
  int NVML_NVLINK_MAX_LINKS = 36;
  /** {@code usedGpuMemory} and similar fields carry all ones when the value is not available. */
  long NVML_VALUE_NOT_AVAILABLE = -1L;
  long NVML_EVENT_TYPE_XID_CRITICAL_ERROR = 0x8L;
  int NVML_TEMPERATURE_GPU = 0;
  int NVML_CLOCK_GRAPHICS = 0;
  int NVML_CLOCK_SM = 1;
  int NVML_CLOCK_MEM = 2;
  int NVML_SAMPLING_TOTAL_POWER = 0;
  int NVML_SAMPLING_GPU_UTILIZATION = 1;
  int NVML_MEMORY_ERROR_CORRECTED = 0;
  int NVML_MEMORY_ERROR_UNCORRECTED = 1;
  int NVML_ECC_COUNTER_VOLATILE = 0;
  int NVML_ECC_COUNTER_AGGREGATE = 1;
  int NVML_NVLINK_ERROR_DL_REPLAY = 0;
  int NVML_NVLINK_ERROR_DL_RECOVERY = 1;
  int NVML_NVLINK_ERROR_DL_CRC_FLIT = 2;
  int NVML_NVLINK_ERROR_DL_CRC_DATA = 3;

  // ---- init, system
  int nvmlInit_v2();

  int nvmlShutdown();

  String nvmlErrorString(int result);

  int nvmlSystemGetDriverVersion(byte[] version, int length);

  int nvmlSystemGetNVMLVersion(byte[] version, int length);

  // ---- enumeration and identity
  int nvmlDeviceGetCount_v2(Pointer deviceCount);

  int nvmlDeviceGetHandleByIndex_v2(int index, Pointer device);

  int nvmlDeviceGetHandleByUUID(String uuid, Pointer device);

  int nvmlDeviceGetName(Pointer device, byte[] name, int length);

  int nvmlDeviceGetUUID(Pointer device, byte[] uuid, int length);

  int nvmlDeviceGetSerial(Pointer device, byte[] serial, int length);

  int nvmlDeviceGetVbiosVersion(Pointer device, byte[] version, int length);

  int nvmlDeviceGetPciInfo_v3(Pointer device, NvmlStructs.PciInfo pci);

  // ---- utilization, power, energy
  /** Fills an {@code nvmlUtilization_t}, laid out as {@link NvmlStructs.Utilization}. */
  int nvmlDeviceGetUtilizationRates(Pointer device, Pointer utilization);

  int nvmlDeviceGetSamples(Pointer device, int type, long lastSeenTimeStamp, Pointer sampleValType,
      Pointer sampleCount, Pointer samples);

  int nvmlDeviceGetEncoderUtilization(Pointer device, Pointer utilization, Pointer samplingPeriodUs);

  int nvmlDeviceGetDecoderUtilization(Pointer device, Pointer utilization, Pointer samplingPeriodUs);

  int nvmlDeviceGetPowerUsage(Pointer device, Pointer power);

  int nvmlDeviceGetEnforcedPowerLimit(Pointer device, Pointer limit);

  int nvmlDeviceGetTotalEnergyConsumption(Pointer device, Pointer energy);

  // ---- memory
  /** Fills an {@code nvmlMemory_t}, laid out as {@link NvmlStructs.MemoryV1}. */
  int nvmlDeviceGetMemoryInfo(Pointer device, Pointer memory);

  /** Fills an {@code nvmlMemory_v2_t} whose version field the caller set, laid out as {@link NvmlStructs.MemoryV2}. */
  int nvmlDeviceGetMemoryInfo_v2(Pointer device, Pointer memory);

  /** Fills an {@code nvmlBAR1Memory_t}, laid out as {@link NvmlStructs.Bar1Memory}. */
  int nvmlDeviceGetBAR1MemoryInfo(Pointer device, Pointer bar1Memory);

  // ---- thermal, clocks, performance
  int nvmlDeviceGetTemperature(Pointer device, int sensorType, Pointer temp);

  /**
   * Fills an {@code nvmlTemperature_v1_t}, laid out as {@link NvmlStructs.TemperatureV1}: the versioned call that
   * replaces {@link #nvmlDeviceGetTemperature}, deprecated in NVML 13.0 (still exported by driver 580).
   */
  int nvmlDeviceGetTemperatureV(Pointer device, Pointer temperature);

  int NVML_TEMPERATURE_THRESHOLD_SHUTDOWN = 0;
  int NVML_TEMPERATURE_THRESHOLD_SLOWDOWN = 1;

  /** Absolute °C. Fields 193/194 (*_TLIMIT), which Ada and newer prefer, are margins to T.Limit, not temperatures. */
  int nvmlDeviceGetTemperatureThreshold(Pointer device, int thresholdType, Pointer temp);

  int nvmlDeviceGetClockInfo(Pointer device, int type, Pointer clock);

  int nvmlDeviceGetMaxClockInfo(Pointer device, int type, Pointer clock);

  int nvmlDeviceGetMinorNumber(Pointer device, Pointer minorNumber);

  int nvmlDeviceGetCurrentClocksEventReasons(Pointer device, Pointer clocksEventReasons);

  /** The same call under its name before R535, which drivers since keep as a deprecated alias. */
  int nvmlDeviceGetCurrentClocksThrottleReasons(Pointer device, Pointer clocksThrottleReasons);

  int nvmlDeviceGetPerformanceState(Pointer device, Pointer pState);

  int nvmlDeviceGetFanSpeed(Pointer device, Pointer speed);

  // ---- PCIe
  int nvmlDeviceGetCurrPcieLinkGeneration(Pointer device, Pointer value);

  int nvmlDeviceGetCurrPcieLinkWidth(Pointer device, Pointer value);

  int nvmlDeviceGetMaxPcieLinkGeneration(Pointer device, Pointer value);

  int nvmlDeviceGetMaxPcieLinkWidth(Pointer device, Pointer value);

  int nvmlDeviceGetPcieReplayCounter(Pointer device, Pointer value);

  // ---- ECC, row remapping, NVLink
  int nvmlDeviceGetTotalEccErrors(Pointer device, int errorType, int counterType, Pointer eccCounts);

  int nvmlDeviceGetRemappedRows(Pointer device, Pointer corrRows, Pointer uncRows, Pointer isPending,
      Pointer failureOccurred);

  int nvmlDeviceGetNvLinkState(Pointer device, int link, Pointer isActive);

  int nvmlDeviceGetNvLinkErrorCounter(Pointer device, int link, int counter, Pointer counterValue);

  // ---- field values
  int nvmlDeviceGetFieldValues(Pointer device, int valuesCount, Pointer values);

  // ---- processes and MIG
  int nvmlDeviceGetComputeRunningProcesses_v3(Pointer device, Pointer infoCount, Pointer infos);

  int nvmlDeviceGetMigMode(Pointer device, Pointer currentMode, Pointer pendingMode);

  int nvmlDeviceGetMaxMigDeviceCount(Pointer device, Pointer count);

  int nvmlDeviceGetMigDeviceHandleByIndex(Pointer device, int index, Pointer migDevice);

  int nvmlDeviceGetGpuInstanceId(Pointer device, Pointer id);

  int nvmlDeviceGetComputeInstanceId(Pointer device, Pointer id);

  // ---- events
  int nvmlEventSetCreate(Pointer set);

  int nvmlDeviceRegisterEvents(Pointer device, long eventTypes, Pointer set);

  int nvmlEventSetWait_v2(Pointer set, NvmlStructs.EventData data, int timeoutms);

  int nvmlEventSetFree(Pointer set);

  // ---- GPM (Hopper and newer)
  int nvmlGpmQueryDeviceSupport(Pointer device, NvmlStructs.GpmSupport gpmSupport);

  int nvmlGpmSampleAlloc(Pointer gpmSample);

  int nvmlGpmSampleFree(Pointer gpmSample);

  int nvmlGpmSampleGet(Pointer device, Pointer gpmSample);

  int nvmlGpmMetricsGet(Memory metricsGet);
}
