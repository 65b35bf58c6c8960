package io.acceltel.exporter.exposition;

import java.util.Map;

/** NVML's clock event reason bits by acceltel's {@code reason} label value (nvml.h, nvmlClocksEventReason*). */
final class ClockEventBits {
  static final Map<String, Long> BITS = Map.of(
      "gpu_idle", 0x1L,
      "applications_clocks_setting", 0x2L,
      "sw_power_cap", 0x4L,
      "hw_slowdown", 0x8L,
      "sync_boost", 0x10L,
      "sw_thermal_slowdown", 0x20L,
      "hw_thermal_slowdown", 0x40L,
      "hw_power_brake_slowdown", 0x80L,
      "display_clock_setting", 0x100L);

  private ClockEventBits() {}
}
