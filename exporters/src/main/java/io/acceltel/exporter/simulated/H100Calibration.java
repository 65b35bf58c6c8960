package io.acceltel.exporter.simulated;

/**
 * Constants of the simulated device, fitted to the 1 Hz trace of a real H100 80GB HBM3 SXM in
 * {@code shared/data/h100-trace} (driver 580.159.04) unless a comment says otherwise. Row numbers refer to
 * {@code trace.csv}, counting the first data row as 0.
 */
final class H100Calibration {
  private H100Calibration() {}

  // ---- memory (rows 0-1: NVML memory info v2)
  static final long MEMORY_TOTAL_BYTES = 85_520_809_984L;
  static final long MEMORY_RESERVED_BYTES = 503_316_480L;
  /** BAR1 aperture of an H100 80GB: 128 GiB (nvidia-smi -q); not in the trace. */
  static final long BAR1_TOTAL_BYTES = 128L << 30;

  // ---- power
  /** Rows 0-1: 69.1-69.2 W with no process, clocks at 345 MHz. */
  static final double IDLE_WATTS = 69.0;
  /** Rows 3-19: 115 W once a CUDA context exists and the clocks sit at 1980 MHz, with no kernel running. */
  static final double CONTEXT_WATTS = 115.0;
  static final double POWER_LIMIT_WATTS = 700.0;
  /**
   * The cap holds the average near the limit, not under it: rows 42 and 57 average 700.55 and 701.37 W. A 20 ms
   * sample may exceed the limit by this factor before the controller catches it.
   */
  static final double POWER_CAP_OVERSHOOT = 1.002;
  /**
   * Leakage grows with the die's temperature: with a context and no kernel, 115.2 W at 33 °C (rows 3-19) and 122.5
   * to 125.5 W at 43-48 °C after the load (rows 111-124), about 0.7 W per degree.
   */
  static final double LEAKAGE_W_PER_C = 0.7;
  static final double LEAKAGE_FROM_C = 33.0;

  /**
   * Power the device would draw at full clocks for an activity. Fitted so that the memcopy phase (SM-active 0.996,
   * DRAM 0.90, no tensor; rows 91-109) gives its 393 W, and the bf16 GEMM phase (SM-active 0.96, tensor 0.93, DRAM
   * 0.26; rows 21-59) asks for ~960 W, which the 700 W cap turns into the 1275-1410 MHz seen there (the SM clock
   * scales about linearly with the dynamic power the cap allows).
   */
  static double demandWatts(TrainingWorkload.Activity a) {
    return CONTEXT_WATTS + 150 * a.smActive() + 700 * a.tensor() + 143 * a.dram() + 60 * a.fp32();
  }

  // ---- clocks (MHz)
  static final int SM_MAX_MHZ = 1980;
  static final int SM_IDLE_MHZ = 345;
  /** H100 SXM5 base clock: below it under load the driver counts time against TOTAL_BASE_CLOCKS. */
  static final int SM_BASE_MHZ = 1590;
  static final int MEMORY_MHZ = 2619;
  /** H100 clocks move in 15 MHz steps (rows 20-89: 1275, 1305, 1320, ...). */
  static final int CLOCK_STEP_MHZ = 15;
  /** Clock factor while hardware thermal slowdown is asserted: HW slowdown at least halves the clocks. */
  static final double HW_SLOWDOWN_CLOCK_FACTOR = 0.42;

  // ---- temperature (°C). Die temperature = ambient + FAST * P + L, where L lags power with TIME_CONSTANT:
  // the die jumps 18 °C in the first second of the GEMM phase (row 19 → 20), then creeps up 13 °C over 40 s and
  // 5 °C more over the next 30 s (rows 20-89), which a 50 s first-order lag of LAG_GAIN * P reproduces.
  static final double AMBIENT_C = 26.0;
  static final double FAST_C_PER_WATT = 0.03;
  static final double LAG_C_PER_WATT = 0.041;
  static final double TIME_CONSTANT_S = 50.0;
  /**
   * HBM temperature = ambient + 8 + a fast part + Lm, both of the form c_P * (P - idle) + c_D * dram, Lm lagging
   * with 25 s: 34 °C at idle (rows 0-19), ~66 °C in memcopy at 393 W and 90 % DRAM (rows 91-109), a few degrees
   * below the die under tensor-heavy work (rows 40-59). HBM follows DRAM activity more than board power, and moves
   * within the second a phase changes: +7 °C as the GEMM starts (row 19 → 20), +6 °C as the memcopy does (90 → 91),
   * -15 °C as it ends (109 → 110), which the fast part's coefficients are fitted to; the two parts together give the
   * steady states above.
   */
  static final double MEMORY_OFFSET_C = 8.0;
  static final double MEM_FAST_C_PER_WATT = 0.0065;
  static final double MEM_FAST_C_PER_DRAM = 12.3;
  static final double MEM_C_PER_WATT = 0.0357 - MEM_FAST_C_PER_WATT;
  static final double MEM_C_PER_DRAM = 21.6 - MEM_FAST_C_PER_DRAM;
  static final double MEMORY_TIME_CONSTANT_S = 25.0;
  /** H100 SXM thresholds as nvidia-smi -q reports them (not in the trace): software slowdown starts above the
   * max operating temperature, hardware slowdown at the slowdown limit. */
  static final double MAX_OPERATING_C = 87.0;
  /** Thermal capping, once on, lasts at least THERMAL_HOLD_MILLIS and until the GPU is this much below the limit. */
  static final double THERMAL_HYSTERESIS_C = 3.0;
  static final long THERMAL_HOLD_MILLIS = 30_000;
  static final double SLOWDOWN_C = 89.0;
  static final double SHUTDOWN_C = 92.0;
  /**
   * Devices in the chassis's hottest slot run this much warmer: enough to touch MAX_OPERATING_C at the cap, so that
   * the demo's thermal and health panels have something to show. A real GPU doing so needs its cooling looked at:
   * the traced H100 stayed below 70 °C.
   */
  static final double HOT_SLOT_EXTRA_C = 10.0;

  // ---- device info (info.txt)
  static final String DRIVER_VERSION = "580.159.04";
  /** A VBIOS of the H100 SXM5 family; the trace does not record it. */
  static final String VBIOS_VERSION = "96.00.99.00.01";
  /** PCI bus ids of the eight GPUs on an HGX H100 baseboard, in NVML's enumeration order. */
  static final String[] HGX_BUS_IDS = {"18", "2A", "3A", "5D", "9A", "AB", "BA", "DB"};
  static final int NVLINK_LINKS = 18;

  static final int REASON_GPU_IDLE = 0x1;
  static final int REASON_SW_POWER_CAP = 0x4;
  static final int REASON_HW_SLOWDOWN = 0x8;
  static final int REASON_SW_THERMAL = 0x20;
  static final int REASON_HW_THERMAL = 0x40;
}
