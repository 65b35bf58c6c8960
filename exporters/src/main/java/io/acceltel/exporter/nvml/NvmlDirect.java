package io.acceltel.exporter.nvml;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * The NVML binding with JNA direct mapping for the calls every tick makes (every per-tick call but the fan, which
 * most data-center boards do not have), and the interface proxy for the rest. Measured on the NVML double, a direct
 * call costs about 0.2 µs against 1.3 µs through the interface proxy, which otherwise dominates a tick when the
 * driver answers in microseconds: an SXM board's 18 NVLink links alone make 90 calls per GPU per tick.
 *
 * <p>Direct mapping binds every native method when the class is registered and fails if one symbol is missing, so
 * only per-tick functions are direct (drivers before R535, which lack nvmlDeviceGetCurrentClocksEventReasons, or
 * before R520, without GPM, fail registration); {@link NvmlLoader} then falls back to the proxy alone. Generated
 * from {@link NvmlLibrary}'s declarations: keep the two in step.
 */
final class NvmlDirect implements NvmlLibrary {
  private final NvmlLibrary proxy;

  /**
   * @throws UnsatisfiedLinkError when the library lacks one of the per-tick functions
   */
  NvmlDirect(NativeLibrary library, NvmlLibrary proxy) {
    this.proxy = proxy;
    Native.register(NvmlDirect.class, library);
  }

  @Override
  public int nvmlInit_v2() {
    return proxy.nvmlInit_v2();
  }

  @Override
  public int nvmlShutdown() {
    return proxy.nvmlShutdown();
  }

  @Override
  public String nvmlErrorString(int result) {
    return proxy.nvmlErrorString(result);
  }

  @Override
  public int nvmlSystemGetDriverVersion(byte[] version, int length) {
    return proxy.nvmlSystemGetDriverVersion(version, length);
  }

  @Override
  public int nvmlSystemGetNVMLVersion(byte[] version, int length) {
    return proxy.nvmlSystemGetNVMLVersion(version, length);
  }

  @Override
  public int nvmlDeviceGetCount_v2(Pointer deviceCount) {
    return proxy.nvmlDeviceGetCount_v2(deviceCount);
  }

  @Override
  public int nvmlDeviceGetHandleByIndex_v2(int index, Pointer device) {
    return proxy.nvmlDeviceGetHandleByIndex_v2(index, device);
  }

  @Override
  public int nvmlDeviceGetHandleByUUID(String uuid, Pointer device) {
    return proxy.nvmlDeviceGetHandleByUUID(uuid, device);
  }

  @Override
  public int nvmlDeviceGetName(Pointer device, byte[] name, int length) {
    return proxy.nvmlDeviceGetName(device, name, length);
  }

  @Override
  public int nvmlDeviceGetUUID(Pointer device, byte[] uuid, int length) {
    return proxy.nvmlDeviceGetUUID(device, uuid, length);
  }

  /** Through the proxy: drivers before it would fail the direct registration, and it only stands in (see reader). */
  @Override
  public int nvmlDeviceGetTemperatureV(Pointer device, Pointer temperature) {
    return proxy.nvmlDeviceGetTemperatureV(device, temperature);
  }

  @Override
  public int nvmlDeviceGetTemperatureThreshold(Pointer device, int thresholdType, Pointer temp) {
    return proxy.nvmlDeviceGetTemperatureThreshold(device, thresholdType, temp);
  }

  @Override
  public int nvmlDeviceGetSerial(Pointer device, byte[] serial, int length) {
    return proxy.nvmlDeviceGetSerial(device, serial, length);
  }

  @Override
  public int nvmlDeviceGetVbiosVersion(Pointer device, byte[] version, int length) {
    return proxy.nvmlDeviceGetVbiosVersion(device, version, length);
  }

  @Override
  public int nvmlDeviceGetPciInfo_v3(Pointer device, NvmlStructs.PciInfo pci) {
    return proxy.nvmlDeviceGetPciInfo_v3(device, pci);
  }

  @Override
  public native int nvmlDeviceGetUtilizationRates(Pointer device, Pointer utilization);

  @Override
  public native int nvmlDeviceGetSamples(Pointer device, int type, long lastSeenTimeStamp, Pointer sampleValType, Pointer sampleCount, Pointer samples);

  @Override
  public native int nvmlDeviceGetEncoderUtilization(Pointer device, Pointer utilization, Pointer samplingPeriodUs);

  @Override
  public native int nvmlDeviceGetDecoderUtilization(Pointer device, Pointer utilization, Pointer samplingPeriodUs);

  @Override
  public native int nvmlDeviceGetPowerUsage(Pointer device, Pointer power);

  @Override
  public native int nvmlDeviceGetEnforcedPowerLimit(Pointer device, Pointer limit);

  @Override
  public int nvmlDeviceGetTotalEnergyConsumption(Pointer device, Pointer energy) {
    return proxy.nvmlDeviceGetTotalEnergyConsumption(device, energy);
  }

  @Override
  public int nvmlDeviceGetMemoryInfo(Pointer device, Pointer memory) {
    return proxy.nvmlDeviceGetMemoryInfo(device, memory);
  }

  @Override
  public native int nvmlDeviceGetMemoryInfo_v2(Pointer device, Pointer memory);

  @Override
  public native int nvmlDeviceGetBAR1MemoryInfo(Pointer device, Pointer bar1Memory);

  @Override
  public native int nvmlDeviceGetTemperature(Pointer device, int sensorType, Pointer temp);

  @Override
  public native int nvmlDeviceGetClockInfo(Pointer device, int type, Pointer clock);

  @Override
  public native int nvmlDeviceGetMaxClockInfo(Pointer device, int type, Pointer clock);

  @Override
  public int nvmlDeviceGetMinorNumber(Pointer device, Pointer minorNumber) {
    return proxy.nvmlDeviceGetMinorNumber(device, minorNumber);
  }

  @Override
  public native int nvmlDeviceGetCurrentClocksEventReasons(Pointer device, Pointer clocksEventReasons);

  @Override
  public int nvmlDeviceGetCurrentClocksThrottleReasons(Pointer device, Pointer clocksThrottleReasons) {
    return proxy.nvmlDeviceGetCurrentClocksThrottleReasons(device, clocksThrottleReasons);
  }

  @Override
  public native int nvmlDeviceGetPerformanceState(Pointer device, Pointer pState);

  @Override
  public int nvmlDeviceGetFanSpeed(Pointer device, Pointer speed) {
    return proxy.nvmlDeviceGetFanSpeed(device, speed);
  }

  @Override
  public native int nvmlDeviceGetCurrPcieLinkGeneration(Pointer device, Pointer value);

  @Override
  public native int nvmlDeviceGetCurrPcieLinkWidth(Pointer device, Pointer value);

  @Override
  public native int nvmlDeviceGetMaxPcieLinkGeneration(Pointer device, Pointer value);

  @Override
  public native int nvmlDeviceGetMaxPcieLinkWidth(Pointer device, Pointer value);

  @Override
  public native int nvmlDeviceGetPcieReplayCounter(Pointer device, Pointer value);

  @Override
  public native int nvmlDeviceGetTotalEccErrors(Pointer device, int errorType, int counterType, Pointer eccCounts);

  @Override
  public native int nvmlDeviceGetRemappedRows(Pointer device, Pointer corrRows, Pointer uncRows, Pointer isPending, Pointer failureOccurred);

  @Override
  public native int nvmlDeviceGetNvLinkState(Pointer device, int link, Pointer isActive);

  @Override
  public native int nvmlDeviceGetNvLinkErrorCounter(Pointer device, int link, int counter, Pointer counterValue);

  @Override
  public native int nvmlDeviceGetFieldValues(Pointer device, int valuesCount, Pointer values);

  @Override
  public native int nvmlDeviceGetComputeRunningProcesses_v3(Pointer device, Pointer infoCount, Pointer infos);

  @Override
  public native int nvmlDeviceGetMigMode(Pointer device, Pointer currentMode, Pointer pendingMode);

  @Override
  public native int nvmlDeviceGetMaxMigDeviceCount(Pointer device, Pointer count);

  @Override
  public native int nvmlDeviceGetMigDeviceHandleByIndex(Pointer device, int index, Pointer migDevice);

  @Override
  public int nvmlDeviceGetGpuInstanceId(Pointer device, Pointer id) {
    return proxy.nvmlDeviceGetGpuInstanceId(device, id);
  }

  @Override
  public int nvmlDeviceGetComputeInstanceId(Pointer device, Pointer id) {
    return proxy.nvmlDeviceGetComputeInstanceId(device, id);
  }

  @Override
  public int nvmlEventSetCreate(Pointer set) {
    return proxy.nvmlEventSetCreate(set);
  }

  @Override
  public int nvmlDeviceRegisterEvents(Pointer device, long eventTypes, Pointer set) {
    return proxy.nvmlDeviceRegisterEvents(device, eventTypes, set);
  }

  @Override
  public int nvmlEventSetWait_v2(Pointer set, NvmlStructs.EventData data, int timeoutms) {
    return proxy.nvmlEventSetWait_v2(set, data, timeoutms);
  }

  @Override
  public int nvmlEventSetFree(Pointer set) {
    return proxy.nvmlEventSetFree(set);
  }

  @Override
  public int nvmlGpmQueryDeviceSupport(Pointer device, NvmlStructs.GpmSupport gpmSupport) {
    return proxy.nvmlGpmQueryDeviceSupport(device, gpmSupport);
  }

  @Override
  public int nvmlGpmSampleAlloc(Pointer gpmSample) {
    return proxy.nvmlGpmSampleAlloc(gpmSample);
  }

  @Override
  public int nvmlGpmSampleFree(Pointer gpmSample) {
    return proxy.nvmlGpmSampleFree(gpmSample);
  }

  @Override
  public native int nvmlGpmSampleGet(Pointer device, Pointer gpmSample);

  @Override
  public native int nvmlGpmMetricsGet(Memory metricsGet);
}
