package io.acceltel.model.catalog;

import java.util.List;

/**
 * The values of {@link MetricCatalog#CLOCK_LIMITED}'s {@code limit} label, in the order of NVML's perf policies
 * (nvmlPerfPolicyType_t POWER 0 .. RELIABILITY 5, TOTAL_APP_CLOCKS 10, TOTAL_BASE_CLOCKS 11; field values
 * NVML_FI_DEV_PERF_POLICY_* 74..81). The NVML backend, the simulated devices and the dcgm view all read this one list.
 */
public final class ClockLimits {
  public static final String POWER = "power";
  public static final String THERMAL = "thermal";
  public static final String SYNC_BOOST = "sync_boost";
  public static final String BOARD_LIMIT = "board_limit";
  public static final String LOW_UTILIZATION = "low_utilization";
  public static final String RELIABILITY = "reliability";
  public static final String BELOW_APPLICATION_CLOCKS = "below_application_clocks";
  public static final String BELOW_BASE_CLOCKS = "below_base_clocks";

  /** Every limit, in NVML's field order: the i-th is field {@code 74 + i}. */
  public static final List<String> NAMES = List.of(POWER, THERMAL, SYNC_BOOST, BOARD_LIMIT, LOW_UTILIZATION,
      RELIABILITY, BELOW_APPLICATION_CLOCKS, BELOW_BASE_CLOCKS);

  private ClockLimits() {}
}
