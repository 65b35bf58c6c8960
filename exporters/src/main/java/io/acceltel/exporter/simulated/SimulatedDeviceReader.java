package io.acceltel.exporter.simulated;

import static io.acceltel.exporter.simulated.H100Calibration.*;

import io.acceltel.exporter.device.DeviceLostException;
import io.acceltel.exporter.device.DeviceReader;
import io.acceltel.model.catalog.ClockEventReasons;
import io.acceltel.model.catalog.ClockLimits;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.ReadingSink;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One simulated H100: turns its {@link TrainingWorkload} into what NVML would report, tick by tick.
 *
 * <p>Each tick covers the real time since the previous tick. The reader samples the workload at 50 instants across
 * it, as the driver's power sample buffer does (every ~20 ms), groups them in 10 windows for utilization samples,
 * and reports averages and maxima the way the NVML backend drains the sample buffers. Power and clocks come from
 * {@link H100Calibration#demandWatts} and the 700 W cap; temperature lags power; energy integrates the tick's mean
 * power over the tick's real length, so energy is exactly the sum of power times elapsed time.
 *
 * <p>Everything depends on the seed and the tick timestamps only, never on the wall clock. {@link #read} runs on
 * one thread at a time and owns the thermal and energy state; {@link #readBackground} runs on another and only
 * reads the published energy.
 */
final class SimulatedDeviceReader implements DeviceReader {
  private static final long UNSET = Long.MIN_VALUE;
  private static final int POINTS = 50;
  private static final int WINDOWS = 10;
  private static final int POINTS_PER_WINDOW = POINTS / WINDOWS;
  private static final String[] CLOCK_DOMAINS = {"sm", "memory", "graphics"};
  private static final String[] ECC_ERRORS = {"corrected", "uncorrected"};
  private static final String[] ECC_SCOPES = {"volatile", "aggregate"};
  private static final String[] NVLINK_ERRORS = {"crc_flit", "crc_data", "replay", "recovery"};
  private static final int LIMIT_POWER = ClockLimits.NAMES.indexOf(ClockLimits.POWER);
  private static final int LIMIT_THERMAL = ClockLimits.NAMES.indexOf(ClockLimits.THERMAL);
  private static final int LIMIT_LOW_UTILIZATION = ClockLimits.NAMES.indexOf(ClockLimits.LOW_UTILIZATION);
  private static final int LIMIT_BELOW_APPLICATION_CLOCKS =
      ClockLimits.NAMES.indexOf(ClockLimits.BELOW_APPLICATION_CLOCKS);
  private static final int LIMIT_BELOW_BASE_CLOCKS = ClockLimits.NAMES.indexOf(ClockLimits.BELOW_BASE_CLOCKS);

  private final DeviceIdentity identity;
  private final TrainingWorkload workload;
  private final DeviceFaults faults;
  private final AtomicLong origin;
  private final long seed;
  private final double ambientC;
  private final List<String> info;

  // Owned by the read thread.
  private long lastTick = UNSET;
  private double lagC = LAG_C_PER_WATT * IDLE_WATTS;
  private double memoryLagC = 0;
  private double temperatureC;
  /** Whether the driver-like thermal capping is on (see THERMAL_HYSTERESIS_C). Tick thread only. */
  private boolean thermalCapping;
  private long thermalCappingSince;
  private double energyJ;
  /** Whether a kernel ran at the previous tick's last instant: a tick that opens with a kernel launch is no spike. */
  private boolean lastPointBusy;

  /** Throttle time per limit since the driver loaded, in ClockLimits.NAMES order. */
  private final double[] limitedSeconds = new double[ClockLimits.NAMES.size()];

  // Published to the background thread.
  private volatile double publishedEnergyJ;
  private volatile double[] publishedLimitedSeconds;

  /**
   * @param origin the backend's first tick, shared by its devices so they run the same job in step; set by the
   *     first read of any device
   */
  SimulatedDeviceReader(int index, String model, long seed, boolean hotSlot, DeviceFaults faults, AtomicLong origin) {
    this.identity = new DeviceIdentity(index, uuid(seed, index), model, io.acceltel.model.snapshot.Vendor.NVIDIA);
    this.workload = new TrainingWorkload(seed, index);
    this.faults = faults;
    this.origin = origin;
    this.seed = seed;
    // Slots differ by a few degrees of inlet air; one slot of the chassis is markedly hotter (see HOT_SLOT_EXTRA_C).
    this.ambientC = AMBIENT_C + 3 * Noise.unit(seed, 20, index) + (hotSlot ? HOT_SLOT_EXTRA_C : 0);
    this.temperatureC = ambientC + (FAST_C_PER_WATT + LAG_C_PER_WATT) * IDLE_WATTS;
    // The driver was loaded days before the exporter started, as on a real node, so the counter starts high.
    double uptimeDays = 2 + 18 * Noise.unit(seed, 21, index);
    this.energyJ = IDLE_WATTS * uptimeDays * 86_400;
    this.publishedEnergyJ = energyJ;
    // Idle most of that time (low utilization), power-capped for a small part of it.
    limitedSeconds[LIMIT_LOW_UTILIZATION] = 0.6 * uptimeDays * 86_400;
    limitedSeconds[LIMIT_POWER] = 0.01 * uptimeDays * 86_400;
    limitedSeconds[LIMIT_BELOW_APPLICATION_CLOCKS] = limitedSeconds[LIMIT_POWER];
    this.publishedLimitedSeconds = limitedSeconds.clone();
    this.info = List.of(serial(seed, index), DRIVER_VERSION, VBIOS_VERSION, busId(index), "disabled");
  }

  /** {@code GPU-} and a UUID hashed from the seed and index: stable across runs, distinct across devices. */
  static String uuid(long seed, int index) {
    long hi = Noise.bits(seed, 30, index);
    long lo = Noise.bits(seed, 31, index);
    return "GPU-" + new java.util.UUID(hi, lo);
  }

  private static String serial(long seed, int index) {
    return String.format(Locale.ROOT, "1654%09d", Math.floorMod(Noise.bits(seed, 32, index), 1_000_000_000L));
  }

  private static String busId(int index) {
    return String.format(Locale.ROOT, "%08X:%s:00.0", index / HGX_BUS_IDS.length,
        HGX_BUS_IDS[index % HGX_BUS_IDS.length]);
  }

  TrainingWorkload workload() {
    return workload;
  }

  @Override
  public DeviceIdentity identity() {
    return identity;
  }

  @Override
  public void read(long tickMillis, ReadingSink sink) throws DeviceLostException {
    DeviceFaults.Snapshot fault = faults.snapshot();
    if (fault.lost()) {
      throw lostException();
    }
    long start = originFor(tickMillis);
    long dtMs = lastTick == UNSET ? 0 : Math.max(0, tickMillis - lastTick);
    // A repeated or backward tick reads the last second again but lets no time pass for energy and temperature.
    long span = dtMs > 0 ? dtMs : 1000;
    long from = tickMillis - span;

    // The driver's thermal capping holds for a while and until the GPU has cooled a little below the limit, not
    // only while it is above it: power, and with it the fast part of the temperature, drops as soon as the clocks
    // do, so without the hold the hot slot's throttle reason (and its health) flapped every few ticks.
    if (temperatureC > MAX_OPERATING_C) {
      if (!thermalCapping) {
        thermalCappingSince = tickMillis;
      }
      thermalCapping = true;
    } else if (temperatureC < MAX_OPERATING_C - THERMAL_HYSTERESIS_C
        && tickMillis - thermalCappingSince >= THERMAL_HOLD_MILLIS) {
      thermalCapping = false;
    }
    double thermalFactor = thermalCapping
        ? Math.max(0.5, Math.min(0.97, 1 - 0.1 * (temperatureC - MAX_OPERATING_C))) : 1;
    if (fault.thermalSlowdown()) {
      thermalFactor = Math.min(thermalFactor, HW_SLOWDOWN_CLOCK_FACTOR);
    }

    double leakage = LEAKAGE_W_PER_C * Math.max(0, temperatureC - LEAKAGE_FROM_C);
    double busy = 0, sm = 0, occupancy = 0, tensor = 0, dram = 0, fp16 = 0, fp32 = 0, fp64 = 0;
    double nvlink = 0, pcieTx = 0, pcieRx = 0, power = 0, powerMax = 0;
    double utilSum = 0, utilMax = 0, windowBusy = 0, windowClock = 0;
    int windowCapped = 0;
    // Instants of this tick held down by each limit, in ClockLimits.NAMES order.
    int[] limitedPoints = new int[ClockLimits.NAMES.size()];
    boolean previousBusy = lastPointBusy;
    boolean context = false;
    for (int i = 0; i < POINTS; i++) {
      long t = from + (i + 1) * span / POINTS;
      TrainingWorkload.Activity a = workload.at(t - start);
      long sample = Math.floorDiv(t, 20);
      double u = Noise.unit(seed, 40 + identity.index(), sample);
      double p;
      double clockMhz;
      boolean capped = false;
      context = a.hasContext();
      if (!context) {
        p = IDLE_WATTS + 0.6 * u;
        clockMhz = SM_IDLE_MHZ;
        limitedPoints[LIMIT_LOW_UTILIZATION]++;
      } else {
        double base = CONTEXT_WATTS + leakage;
        double dynamic = demandWatts(a) - CONTEXT_WATTS;
        double capFactor = base + dynamic > POWER_LIMIT_WATTS ? (POWER_LIMIT_WATTS - base) / dynamic : 1;
        double factor = Math.min(capFactor, thermalFactor);
        capped = capFactor < 1 && capFactor <= thermalFactor;
        p = Math.min(POWER_LIMIT_WATTS * POWER_CAP_OVERSHOOT, base + dynamic * factor * (1 + 0.02 * (u - 0.5)));
        clockMhz = SM_MAX_MHZ * factor;
        countLimits(limitedPoints, capped, thermalFactor < 1 && !capped, clockMhz);
      }
      // The 20 ms power samples overshoot the average: up to ~15 % in steady GEMMs (rows 21-59: max 730-800 W
      // around a 698 W mean) and ~40 % when kernels start after a gap (bursty, rows 61-89: up to 991 W around
      // 684 W). That is why POWER_MAX may exceed the limit far more than POWER, which the cap holds near it.
      boolean isBusy = a.busy() >= 0.5;
      double spike = 1 + (isBusy ? 0.10 : 0.01) * Noise.unit(seed, 60 + identity.index(), sample)
          + (isBusy && !previousBusy ? 0.25 : 0);
      previousBusy = isBusy;
      powerMax = Math.max(powerMax, p * spike);
      power += p;
      busy += a.busy();
      sm += a.smActive();
      occupancy += a.occupancy();
      tensor += a.tensor();
      dram += a.dram();
      fp16 += a.fp16();
      fp32 += a.fp32();
      fp64 += a.fp64();
      nvlink += a.nvlinkBytesPerSecond();
      pcieTx += a.pcieTxBytesPerSecond();
      pcieRx += a.pcieRxBytesPerSecond();
      windowBusy += a.busy();
      windowClock += clockMhz;
      if (capped) {
        windowCapped++;
      }
      if ((i + 1) % POINTS_PER_WINDOW == 0) {
        // Utilization samples are whole percents, one per window, as NVML's are.
        double util = Math.round(100 * windowBusy / POINTS_PER_WINDOW) / 100.0;
        utilSum += util;
        utilMax = Math.max(utilMax, util);
        if (i + 1 < POINTS) { // keep the last window's clock and cap state: they are what the tick reports
          windowBusy = 0;
          windowClock = 0;
          windowCapped = 0;
        }
      }
    }
    power /= POINTS;
    dram /= POINTS;
    if (dtMs > 0 || lastTick == UNSET) {
      lastPointBusy = previousBusy;
    }
    double utilization = utilSum / WINDOWS;

    if (dtMs > 0) {
      double dt = dtMs / 1000.0;
      energyJ += power * dt;
      for (int l = 0; l < limitedSeconds.length; l++) {
        limitedSeconds[l] += dt * limitedPoints[l] / POINTS;
      }
      lagC += (LAG_C_PER_WATT * power - lagC) * -Math.expm1(-dt / TIME_CONSTANT_S);
      double memoryTarget = MEM_C_PER_WATT * Math.max(0, power - IDLE_WATTS) + MEM_C_PER_DRAM * dram;
      memoryLagC += (memoryTarget - memoryLagC) * -Math.expm1(-dt / MEMORY_TIME_CONSTANT_S);
      lastTick = tickMillis;
    } else if (lastTick == UNSET) {
      lastTick = tickMillis;
    }
    publishedEnergyJ = energyJ;
    publishedLimitedSeconds = limitedSeconds.clone();
    temperatureC = ambientC + FAST_C_PER_WATT * power + lagC;
    double reportedC = fault.thermalSlowdown() ? Math.max(temperatureC, SLOWDOWN_C + 1) : temperatureC;

    int reasons = 0;
    if (!context) {
      reasons |= REASON_GPU_IDLE;
    }
    if (windowCapped * 2 > POINTS_PER_WINDOW) {
      reasons |= REASON_SW_POWER_CAP;
    }
    if (thermalCapping || fault.thermalSlowdown()) {
      reasons |= REASON_SW_THERMAL;
    }
    if (fault.thermalSlowdown()) {
      reasons |= REASON_HW_THERMAL | REASON_HW_SLOWDOWN;
    }
    double smMhz = Math.round(windowClock / POINTS_PER_WINDOW / CLOCK_STEP_MHZ) * CLOCK_STEP_MHZ;
    long memoryUsed = context ? workload.memoryUsedBytes(tickMillis - start) : 0;

    sink.set(MetricCatalog.DEVICE_INFO, info, 1);

    sink.set(MetricCatalog.UTILIZATION, utilization);
    sink.set(MetricCatalog.UTILIZATION_MAX, utilMax);
    // NVML's memory utilization reads ~1.33 x GPM DRAM-active (34 % at 25.6 %, rows 21-59) and saturates at 100 %.
    sink.set(MetricCatalog.MEMORY_UTILIZATION, Math.min(1, Math.round(133 * dram) / 100.0));
    sink.set(MetricCatalog.ENCODER_UTILIZATION, 0);
    sink.set(MetricCatalog.DECODER_UTILIZATION, 0);

    sink.set(MetricCatalog.MEMORY_TOTAL, MEMORY_TOTAL_BYTES);
    sink.set(MetricCatalog.MEMORY_USED, memoryUsed);
    sink.set(MetricCatalog.MEMORY_FREE, MEMORY_TOTAL_BYTES - MEMORY_RESERVED_BYTES - memoryUsed);
    sink.set(MetricCatalog.MEMORY_RESERVED, MEMORY_RESERVED_BYTES);
    sink.set(MetricCatalog.BAR1_USED, (context ? 34L : 2L) << 20);
    sink.set(MetricCatalog.BAR1_TOTAL, BAR1_TOTAL_BYTES);

    sink.set(MetricCatalog.POWER, power);
    sink.set(MetricCatalog.POWER_MAX, powerMax);
    sink.set(MetricCatalog.POWER_LIMIT, POWER_LIMIT_WATTS);

    // NVML reports whole degrees.
    sink.set(MetricCatalog.TEMPERATURE, Math.round(reportedC));
    double memoryFastC = context
        ? MEM_FAST_C_PER_WATT * Math.max(0, power - IDLE_WATTS) + MEM_FAST_C_PER_DRAM * dram : 0;
    sink.set(MetricCatalog.MEMORY_TEMPERATURE, Math.round(ambientC + MEMORY_OFFSET_C + memoryFastC + memoryLagC));
    sink.set(MetricCatalog.TEMPERATURE_SLOWDOWN, SLOWDOWN_C);
    sink.set(MetricCatalog.TEMPERATURE_SHUTDOWN, SHUTDOWN_C);

    double[] clocks = {smMhz, MEMORY_MHZ, smMhz};
    double[] maxClocks = {SM_MAX_MHZ, MEMORY_MHZ, SM_MAX_MHZ};
    for (int d = 0; d < CLOCK_DOMAINS.length; d++) {
      sink.set(MetricCatalog.CLOCK, CLOCK_DOMAINS[d], clocks[d] * 1e6);
      sink.set(MetricCatalog.CLOCK_MAX, CLOCK_DOMAINS[d], maxClocks[d] * 1e6);
    }
    for (int bit = 0; bit < ClockEventReasons.NAMES.size(); bit++) {
      sink.set(MetricCatalog.CLOCK_EVENT, ClockEventReasons.NAMES.get(bit), (reasons >>> bit) & 1);
    }
    // The trace shows P0 even when idle (smi.csv); H100 SXM has no fan, so FAN_SPEED is left out as NVML's
    // NOT_SUPPORTED would leave it.
    sink.set(MetricCatalog.PSTATE, 0);

    sink.set(MetricCatalog.PCIE_LINK_GEN, 5);
    sink.set(MetricCatalog.PCIE_LINK_GEN_MAX, 5);
    sink.set(MetricCatalog.PCIE_LINK_WIDTH, 16);
    sink.set(MetricCatalog.PCIE_LINK_WIDTH_MAX, 16);
    sink.set(MetricCatalog.PCIE_TX, asTheCounterReadsIt(pcieTx / POINTS, span));
    sink.set(MetricCatalog.PCIE_RX, asTheCounterReadsIt(pcieRx / POINTS, span));
    sink.set(MetricCatalog.PCIE_REPLAY, 0);

    for (String error : ECC_ERRORS) {
      for (String scope : ECC_SCOPES) {
        sink.set(MetricCatalog.ECC_ERRORS, List.of(error, scope), 0);
      }
    }
    sink.set(MetricCatalog.REMAPPED_ROWS, "correctable", 0);
    sink.set(MetricCatalog.REMAPPED_ROWS, "uncorrectable", 0);
    sink.set(MetricCatalog.ROW_REMAP_PENDING, 0);
    sink.set(MetricCatalog.RECOVERY_ACTION, 0);
    sink.set(MetricCatalog.ROW_REMAP_FAILED, 0);

    for (int link = 0; link < NVLINK_LINKS; link++) {
      String l = Integer.toString(link);
      sink.set(MetricCatalog.NVLINK_UP, l, 1);
      for (String error : NVLINK_ERRORS) {
        sink.set(MetricCatalog.NVLINK_ERRORS, List.of(l, error), 0);
      }
    }
    sink.set(MetricCatalog.NVLINK_TX, nvlink / POINTS);
    sink.set(MetricCatalog.NVLINK_RX, nvlink / POINTS);

    emitXids(fault, sink);

    sink.set(MetricCatalog.GRAPHICS_ENGINE_ACTIVE, busy / POINTS);
    sink.set(MetricCatalog.SM_ACTIVE, sm / POINTS);
    sink.set(MetricCatalog.SM_OCCUPANCY, occupancy / POINTS);
    sink.set(MetricCatalog.TENSOR_ACTIVE, tensor / POINTS);
    sink.set(MetricCatalog.DRAM_ACTIVE, dram);
    sink.set(MetricCatalog.FP64_ACTIVE, fp64 / POINTS);
    sink.set(MetricCatalog.FP32_ACTIVE, fp32 / POINTS);
    sink.set(MetricCatalog.FP16_ACTIVE, fp16 / POINTS);
    // The profiler counts protocol headers too: a few percent over the data counters.
    sink.set(MetricCatalog.PROFILED_PCIE_TX, 1.06 * pcieTx / POINTS);
    sink.set(MetricCatalog.PROFILED_PCIE_RX, 1.06 * pcieRx / POINTS);
    sink.set(MetricCatalog.PROFILED_NVLINK_TX, 1.07 * nvlink / POINTS);
    sink.set(MetricCatalog.PROFILED_NVLINK_RX, 1.07 * nvlink / POINTS);

    sink.set(MetricCatalog.PROCESSES, context ? 1 : 0);
    sink.set(MetricCatalog.PROCESS_MEMORY, memoryUsed);
  }

  /** The energy counter, read off the tick's path as the NVML backend reads it. */
  @Override
  public void readBackground(ReadingSink sink) throws DeviceLostException {
    if (faults.isLost()) {
      throw lostException();
    }
    sink.set(MetricCatalog.ENERGY, publishedEnergyJ);
    double[] limited = publishedLimitedSeconds;
    for (int l = 0; l < limited.length; l++) {
      sink.set(MetricCatalog.CLOCK_LIMITED, ClockLimits.NAMES.get(l), limited[l]);
    }
  }

  /** Which limits hold a busy instant's clock down: the binding one, and the application and base clock totals. */
  private static void countLimits(int[] limitedPoints, boolean powerCapped, boolean thermal, double clockMhz) {
    if (powerCapped) {
      limitedPoints[LIMIT_POWER]++;
    }
    if (thermal) {
      limitedPoints[LIMIT_THERMAL]++;
    }
    if (clockMhz < SM_MAX_MHZ) {
      limitedPoints[LIMIT_BELOW_APPLICATION_CLOCKS]++;
    }
    if (clockMhz < SM_BASE_MHZ) {
      limitedPoints[LIMIT_BELOW_BASE_CLOCKS]++;
    }
  }

  @Override
  public void readWhileLost(ReadingSink sink) {
    emitXids(faults.snapshot(), sink);
  }

  private static void emitXids(DeviceFaults.Snapshot fault, ReadingSink sink) {
    for (Map.Entry<Integer, Long> xid : new TreeMap<>(fault.xidCounts()).entrySet()) {
      sink.set(MetricCatalog.XID_ERRORS, Integer.toString(xid.getKey()), xid.getValue());
    }
    sink.set(MetricCatalog.LAST_XID, fault.lastXid());
  }

  @Override
  public boolean recover() {
    return !faults.isLost();
  }

  private long originFor(long tickMillis) {
    long o = origin.get();
    if (o == UNSET) {
      // Every device reads the same first tick, so whichever thread wins sets the same value.
      origin.compareAndSet(UNSET, tickMillis);
      o = origin.get();
    }
    return o;
  }

  private DeviceLostException lostException() {
    return new DeviceLostException("simulated device " + identity.index() + " (" + identity.uuid()
        + ") is lost because loseDevice(" + identity.index() + ", true) was called; loseDevice("
        + identity.index() + ", false) brings it back");
  }

  /**
   * The driver's PCIe byte counters (fields 197/198) are 32-bit on an H100: a tick's delta is what was moved modulo
   * 4 GiB (the trace's rx counter wraps at row 27), so a checkpoint streaming 14 GB/s reads as a fraction of that,
   * as on the real exporter. The profiled (GPM) rates are not affected.
   */
  private static double asTheCounterReadsIt(double bytesPerSecond, long spanMillis) {
    double seconds = spanMillis / 1000.0;
    return (bytesPerSecond * seconds % 4294967296.0) / seconds;
  }
}
