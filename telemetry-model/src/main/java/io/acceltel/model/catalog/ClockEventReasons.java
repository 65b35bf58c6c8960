package io.acceltel.model.catalog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values of {@link MetricCatalog#CLOCK_EVENT}'s {@code reason} label: every clock event (throttle) reason NVML
 * defines, in bit order, so reason {@code i} is bit {@code 1 << i} of nvmlDeviceGetCurrentClocksEventReasons (nvml.h,
 * nvmlClocksEventReason*). Backends, the simulated devices and the dcgm view all read this one table.
 */
public final class ClockEventReasons {
  /** gpu_idle = 0x1, applications_clocks_setting = 0x2, ..., display_clock_setting = 0x100. */
  public static final List<String> NAMES = List.of("gpu_idle", "applications_clocks_setting", "sw_power_cap",
      "hw_slowdown", "sync_boost", "sw_thermal_slowdown", "hw_thermal_slowdown", "hw_power_brake_slowdown",
      "display_clock_setting");

  /** Each reason's bit in NVML's mask. */
  public static final Map<String, Long> BITS = bits();

  private ClockEventReasons() {}

  private static Map<String, Long> bits() {
    Map<String, Long> bits = new LinkedHashMap<>();
    for (int i = 0; i < NAMES.size(); i++) {
      bits.put(NAMES.get(i), 1L << i);
    }
    return java.util.Collections.unmodifiableMap(bits);
  }
}
