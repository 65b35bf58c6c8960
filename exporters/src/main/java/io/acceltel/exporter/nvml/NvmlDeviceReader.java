package io.acceltel.exporter.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.acceltel.exporter.device.DeviceLostException;
import io.acceltel.exporter.device.DeviceReader;
import io.acceltel.exporter.device.NativeCallObserver;
import io.acceltel.model.catalog.ClockEventReasons;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.ReadingSink;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Reads one NVIDIA GPU through NVML once a tick, converting every value to the catalog's unit (ratios, watts,
 * joules, hertz, bytes). The plain scalar reads live here; the stateful parts have their own classes: the sample
 * ring drains ({@link SampleDrain}), the batched field values with counter rates and throttle times
 * ({@link FieldValueReader}), NVLink ({@link NvLinkReader}), compute processes ({@link ComputeProcessReader}), MIG
 * ({@link MigReader}), GPM profiling ({@link GpmSampler}) and XID counts ({@link XidCounters}, fed by
 * {@link XidWatcher}).
 *
 * <p>Return codes follow {@link CallGuard}: NOT_SUPPORTED leaves a metric out for good, GPU_IS_LOST throws
 * {@link DeviceLostException}, anything else is counted and leaves the metric out for the tick.
 *
 * <p>{@link #read} runs on the device's tick thread and {@link #readBackground} on another; they share only the
 * thread-safe {@link CallGuard} and the volatile handle, each with its own native out-buffers.
 */
public final class NvmlDeviceReader implements DeviceReader, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(NvmlDeviceReader.class.getName());
  private static final String UTILIZATION_RATES = "nvmlDeviceGetUtilizationRates";
  private static final String POWER_USAGE = "nvmlDeviceGetPowerUsage";
  private static final String POWER_LIMIT = "nvmlDeviceGetEnforcedPowerLimit";
  private static final String ENERGY = "nvmlDeviceGetTotalEnergyConsumption";
  private static final String BAR1 = "nvmlDeviceGetBAR1MemoryInfo";
  private static final String TEMPERATURE = "nvmlDeviceGetTemperature";
  private static final String TEMPERATURE_V = "nvmlDeviceGetTemperatureV";
  /** One guard name per threshold: a device may support one and not the other. */
  private static final String SLOWDOWN_THRESHOLD = "nvmlDeviceGetTemperatureThreshold(SLOWDOWN)";
  private static final String SHUTDOWN_THRESHOLD = "nvmlDeviceGetTemperatureThreshold(SHUTDOWN)";
  private static final String CLOCK = "nvmlDeviceGetClockInfo";
  private static final String MAX_CLOCK = "nvmlDeviceGetMaxClockInfo";
  private static final String CLOCK_EVENTS = "nvmlDeviceGetCurrentClocksEventReasons";
  private static final String CLOCK_THROTTLE = "nvmlDeviceGetCurrentClocksThrottleReasons";
  private static final String PSTATE = "nvmlDeviceGetPerformanceState";
  private static final String FAN = "nvmlDeviceGetFanSpeed";
  private static final String PCIE_GEN = "nvmlDeviceGetCurrPcieLinkGeneration";
  private static final String PCIE_WIDTH = "nvmlDeviceGetCurrPcieLinkWidth";
  private static final String PCIE_MAX_GEN = "nvmlDeviceGetMaxPcieLinkGeneration";
  private static final String PCIE_MAX_WIDTH = "nvmlDeviceGetMaxPcieLinkWidth";
  private static final String PCIE_REPLAY = "nvmlDeviceGetPcieReplayCounter";
  private static final String ECC = "nvmlDeviceGetTotalEccErrors";
  private static final String REMAPPED_ROWS = "nvmlDeviceGetRemappedRows";
  private static final String ENCODER = "nvmlDeviceGetEncoderUtilization";
  private static final String DECODER = "nvmlDeviceGetDecoderUtilization";

  private static final int[] CLOCK_TYPES = {NvmlLibrary.NVML_CLOCK_SM, NvmlLibrary.NVML_CLOCK_MEM,
      NvmlLibrary.NVML_CLOCK_GRAPHICS};
  private static final String[] CLOCK_LABELS = {"sm", "memory", "graphics"};
  /** Guarded per domain, like ECC: a board that does not report one clock must not lose the other two. */
  private static final String[] CLOCK_CALLS = qualified(CLOCK, CLOCK_LABELS);
  private static final String[] MAX_CLOCK_CALLS = qualified(MAX_CLOCK, CLOCK_LABELS);
  private static final double MHZ = 1e6;


  private static final int[][] ECC_COMBOS = {
    {NvmlLibrary.NVML_MEMORY_ERROR_CORRECTED, NvmlLibrary.NVML_ECC_COUNTER_VOLATILE},
    {NvmlLibrary.NVML_MEMORY_ERROR_CORRECTED, NvmlLibrary.NVML_ECC_COUNTER_AGGREGATE},
    {NvmlLibrary.NVML_MEMORY_ERROR_UNCORRECTED, NvmlLibrary.NVML_ECC_COUNTER_VOLATILE},
    {NvmlLibrary.NVML_MEMORY_ERROR_UNCORRECTED, NvmlLibrary.NVML_ECC_COUNTER_AGGREGATE},
  };
  private static final List<List<String>> ECC_LABELS = List.of(
      List.of("corrected", "volatile"), List.of("corrected", "aggregate"),
      List.of("uncorrected", "volatile"), List.of("uncorrected", "aggregate"));
  /** Each combination is supported or not on its own: an unsupported aggregate count must not hide the volatile. */
  private static final List<String> ECC_CALLS = ECC_LABELS.stream()
      .map(l -> ECC + "(" + l.get(0) + ", " + l.get(1) + ")").toList();

  /** The guard's names for one function called per label: "nvmlDeviceGetClockInfo(sm)". */
  private static String[] qualified(String function, String[] labels) {
    return java.util.Arrays.stream(labels).map(label -> function + "(" + label + ")").toArray(String[]::new);
  }

  /** An NVML call with one out-parameter; method references to it capture nothing, so they allocate nothing. */
  @FunctionalInterface
  private interface ScalarCall {
    int call(NvmlLibrary nvml, Pointer device, Pointer out);
  }

  private final NvmlLibrary nvml;
  private final DeviceIdentity identity;
  private final CallGuard guard;
  private final Consumer<NvmlDeviceReader> onRecovered;
  private final NativeOut out = new NativeOut();
  private final NativeOut backgroundOut = new NativeOut();
  private final Memory utilization = new Memory(NvmlStructs.Utilization.SIZE);
  private final Memory bar1 = new Memory(NvmlStructs.Bar1Memory.SIZE);
  private final Memory temperatureV = new Memory(NvmlStructs.TemperatureV1.SIZE);
  private final SampleDrain utilizationSamples;
  private final SampleDrain powerSamples;
  private final MemoryInfoReader memory;
  private final FieldValueReader fieldValues;
  /** Read by the background thread only. */
  private final FieldValueReader clockLimits;
  private final NvLinkReader nvLink;
  private final ComputeProcessReader processes;
  private final MigReader mig;
  /**
   * Null while the device has no GPM, or opening it failed: then each tick tries again, unless the guard says the
   * device has none (until a recovery or MIG change asks again). Tick thread; volatile for {@link #close}.
   */
  private volatile GpmSampler gpm;
  private final LongSupplier nanoClock;
  private final XidCounters xids = new XidCounters();
  /** DEVICE_INFO labels per MIG mode, built once: the strings were read at open and do not change. */
  private final List<String> infoEnabled;
  private final List<String> infoDisabled;
  private final List<String> infoUnsupported;
  private volatile Pointer handle;
  /**
   * The slowdown and shutdown temperatures: fixed by the board, so read until the driver has answered (a value, or
   * NOT_SUPPORTED) and again after a reset or a MIG mode change, not every tick. Read-thread only.
   */
  private final Threshold slowdown = new Threshold(NvmlLibrary.NVML_TEMPERATURE_THRESHOLD_SLOWDOWN,
      SLOWDOWN_THRESHOLD, MetricCatalog.TEMPERATURE_SLOWDOWN);
  private final Threshold shutdown = new Threshold(NvmlLibrary.NVML_TEMPERATURE_THRESHOLD_SHUTDOWN,
      SHUTDOWN_THRESHOLD, MetricCatalog.TEMPERATURE_SHUTDOWN);

  NvmlDeviceReader(NvmlLibrary nvml, Pointer handle, NvmlDeviceInfo info, String driverVersion,
      NativeCallObserver observer, LongSupplier nanoClock, Consumer<NvmlDeviceReader> onRecovered)
      throws DeviceLostException {
    this.nvml = nvml;
    this.handle = handle;
    this.identity = info.identity();
    this.onRecovered = onRecovered;
    this.guard = new CallGuard(identity, observer, nanoClock);
    this.utilizationSamples = new SampleDrain(nvml, guard, NvmlLibrary.NVML_SAMPLING_GPU_UTILIZATION,
        "GPU_UTILIZATION");
    this.powerSamples = new SampleDrain(nvml, guard, NvmlLibrary.NVML_SAMPLING_TOTAL_POWER, "TOTAL_POWER");
    this.memory = new MemoryInfoReader(nvml, guard);
    this.fieldValues = FieldValueReader.perTick(nvml, guard);
    this.clockLimits = FieldValueReader.clockLimits(nvml, guard);
    this.nvLink = new NvLinkReader(nvml, guard);
    this.processes = new ComputeProcessReader(nvml, guard);
    this.mig = new MigReader(nvml, guard);
    this.gpm = GpmSampler.open(nvml, guard, handle, nanoClock);
    this.nanoClock = nanoClock;
    this.infoEnabled = info.labels(driverVersion, MigReader.ENABLED);
    this.infoDisabled = info.labels(driverVersion, MigReader.DISABLED);
    this.infoUnsupported = info.labels(driverVersion, MigReader.UNSUPPORTED);
  }

  @Override
  public DeviceIdentity identity() {
    return identity;
  }

  Pointer handle() {
    return handle;
  }

  XidCounters xids() {
    return xids;
  }

  /** Whether GPM profiling metrics are read for this device. */
  boolean profiling() {
    return gpm != null;
  }

  @Override
  public void read(long tickMillis, ReadingSink sink) throws DeviceLostException {
    Pointer device = handle;
    readUtilization(device, sink);
    readPower(device, sink);
    readMemory(device, sink);
    readThermalAndClocks(device, sink);
    readPcie(device, sink);
    readErrors(device, sink);
    readCodecs(device, sink);
    // Rates divide by the time between two reads as measured, not by the interval the ticks were meant to be apart:
    // a tick started late (a GC pause, a busy node) would otherwise show a spike, and the next one a dip.
    fieldValues.read(device, nanoClock.getAsLong() / 1_000_000L, sink);
    nvLink.read(device, sink);
    processes.read(device, sink);
    String migBefore = mig.mode();
    mig.readMode(device);
    if (!mig.mode().equals(migBefore) && !migBefore.equals(MigReader.UNSUPPORTED)) {
      // MIG on turns whole-GPU utilization and sampling NOT_SUPPORTED, MIG off brings them back: ask again.
      LOG.info(() -> "device " + identity.index() + ": MIG mode changed from " + migBefore + " to " + mig.mode()
          + "; probing which metrics it supports again");
      reprobe();
    }
    mig.readInstances(device, sink);
    GpmSampler sampler = gpm;
    if (sampler == null && !guard.skip(GpmSampler.QUERY_SUPPORT)) {
      sampler = GpmSampler.open(nvml, guard, device, nanoClock);
      gpm = sampler;
    }
    if (sampler != null) {
      sampler.read(device, sink);
    }
    xids.emit(sink);
    sink.set(MetricCatalog.DEVICE_INFO, deviceInfoLabels(), 1);
  }

  @Override
  public void readWhileLost(ReadingSink sink) {
    xids.emitWhileLost(sink);
  }

  /** Pulls the utilization and power rings, so that an interval longer than the rings loses no sample. */
  @Override
  public void sampleBetweenTicks() throws DeviceLostException {
    Pointer device = handle;
    utilizationSamples.pull(device);
    powerSamples.pull(device);
  }

  /**
   * The energy counter (~3 ms a call, up to 16 ms) and the throttle-time counters (a field up to 3.5 ms): read off
   * the tick's critical path.
   */
  @Override
  public void readBackground(ReadingSink sink) throws DeviceLostException {
    Pointer device = handle;
    if (!guard.skip(ENERGY)
        && guard.ok(nvml.nvmlDeviceGetTotalEnergyConsumption(device, backgroundOut.slot(0)), ENERGY)) {
      sink.set(MetricCatalog.ENERGY, NvmlValue.unsignedToDouble(backgroundOut.ulong(0)) / 1000.0);
    }
    clockLimits.read(device, nanoClock.getAsLong() / 1_000_000L, sink);
  }

  /**
   * Re-acquires the handle by UUID (the index may have changed after a reset) and checks that the device answers
   * a cheap call with the same UUID.
   */
  @Override
  public boolean recover() {
    NativeOut recoverOut = new NativeOut();
    if (nvml.nvmlDeviceGetHandleByUUID(identity.uuid(), recoverOut.slot(0)) != NvmlReturn.SUCCESS) {
      return false;
    }
    Pointer device = recoverOut.pointer(0);
    byte[] uuid = new byte[NvmlLibrary.NVML_DEVICE_UUID_V2_BUFFER_SIZE];
    if (nvml.nvmlDeviceGetUUID(device, uuid, uuid.length) != NvmlReturn.SUCCESS
        || !identity.uuid().equals(NvmlStrings.decode(uuid))) {
      return false;
    }
    handle = device;
    if (gpm != null) {
      gpm.restart();
    }
    utilizationSamples.forgetPulled();
    powerSamples.forgetPulled();
    reprobe(); // a reset GPU may support more (or less), and its counters started over
    onRecovered.accept(this);
    return true;
  }

  /** Forgets what answered NOT_SUPPORTED, so every metric is asked for again from the next read on. */
  private void reprobe() {
    guard.reset();
    slowdown.forget();
    shutdown.forget();
    fieldValues.reprobe();
    clockLimits.reprobe();
    nvLink.reprobe();
    memory.reprobe();
  }

  private void readUtilization(Pointer device, ReadingSink sink) throws DeviceLostException {
    SampleDrain.Result drained = utilizationSamples.drain(device);
    boolean rates = !guard.skip(UTILIZATION_RATES)
        && guard.ok(nvml.nvmlDeviceGetUtilizationRates(device, utilization), UTILIZATION_RATES);
    if (rates) {
      sink.set(MetricCatalog.MEMORY_UTILIZATION, utilization.getInt(NvmlStructs.Utilization.OFFSET_MEMORY) / 100.0);
    }
    if (drained == SampleDrain.Result.NEW_SAMPLES) {
      sink.set(MetricCatalog.UTILIZATION, utilizationSamples.average() / 100.0);
      sink.set(MetricCatalog.UTILIZATION_MAX, utilizationSamples.max() / 100.0);
    } else if (rates) {
      // No new ring samples since the last tick: the plain read is the best average and maximum there is.
      double gpu = utilization.getInt(NvmlStructs.Utilization.OFFSET_GPU) / 100.0;
      sink.set(MetricCatalog.UTILIZATION, gpu);
      sink.set(MetricCatalog.UTILIZATION_MAX, gpu);
    }
  }

  private void readPower(Pointer device, ReadingSink sink) throws DeviceLostException {
    if (powerSamples.drain(device) == SampleDrain.Result.NEW_SAMPLES) {
      sink.set(MetricCatalog.POWER, powerSamples.average() / 1000.0);
      sink.set(MetricCatalog.POWER_MAX, powerSamples.max() / 1000.0);
    } else if (scalar(POWER_USAGE, NvmlLibrary::nvmlDeviceGetPowerUsage, device)) {
      double watts = out.uint(0) / 1000.0;
      sink.set(MetricCatalog.POWER, watts);
      sink.set(MetricCatalog.POWER_MAX, watts);
    }
    if (scalar(POWER_LIMIT, NvmlLibrary::nvmlDeviceGetEnforcedPowerLimit, device)) {
      sink.set(MetricCatalog.POWER_LIMIT, out.uint(0) / 1000.0);
    }
  }

  private void readMemory(Pointer device, ReadingSink sink) throws DeviceLostException {
    if (memory.read(device)) {
      sink.set(MetricCatalog.MEMORY_TOTAL, memory.total());
      sink.set(MetricCatalog.MEMORY_USED, memory.used());
      sink.set(MetricCatalog.MEMORY_FREE, memory.free());
      if (!Double.isNaN(memory.reserved())) {
        sink.set(MetricCatalog.MEMORY_RESERVED, memory.reserved());
      }
    }
    if (!guard.skip(BAR1) && guard.ok(nvml.nvmlDeviceGetBAR1MemoryInfo(device, bar1), BAR1)) {
      sink.set(MetricCatalog.BAR1_TOTAL, NvmlValue.unsignedField(bar1, NvmlStructs.Bar1Memory.OFFSET_TOTAL));
      sink.set(MetricCatalog.BAR1_USED, NvmlValue.unsignedField(bar1, NvmlStructs.Bar1Memory.OFFSET_USED));
    }
  }

  /** One temperature threshold: asked until answered, then served from memory (NaN until then). */
  private final class Threshold {
    private final int type;
    private final String function;
    private final MetricDefinition metric;
    private double celsius = Double.NaN;

    Threshold(int type, String function, MetricDefinition metric) {
      this.type = type;
      this.function = function;
      this.metric = metric;
    }

    void read(Pointer device, ReadingSink sink) throws DeviceLostException {
      if (Double.isNaN(celsius) && !guard.skip(function)
          && guard.ok(nvml.nvmlDeviceGetTemperatureThreshold(device, type, out.slot(0)), function)) {
        celsius = out.uint(0);
      }
      // Another error (a busy GSP at boot) leaves it out of this tick only: it is asked again next tick.
      if (!Double.isNaN(celsius)) {
        sink.set(metric, celsius);
      }
    }

    void forget() {
      celsius = Double.NaN;
    }
  }

  private void readThermalAndClocks(Pointer device, ReadingSink sink) throws DeviceLostException {
    if (!guard.skip(TEMPERATURE) && guard.ok(
        nvml.nvmlDeviceGetTemperature(device, NvmlLibrary.NVML_TEMPERATURE_GPU, out.slot(0)), TEMPERATURE)) {
      sink.set(MetricCatalog.TEMPERATURE, out.uint(0));
    } else if (guard.missing(TEMPERATURE) && !guard.skip(TEMPERATURE_V)) {
      // The call is deprecated since NVML 13.0: a driver without it still answers the versioned one. It is not
      // the first choice because it goes through the proxy, and older drivers (R535) lack it.
      temperatureV.setInt(NvmlStructs.TemperatureV1.OFFSET_VERSION, NvmlStructs.TemperatureV1.VERSION_1);
      temperatureV.setInt(NvmlStructs.TemperatureV1.OFFSET_SENSOR_TYPE, NvmlLibrary.NVML_TEMPERATURE_GPU);
      if (guard.ok(nvml.nvmlDeviceGetTemperatureV(device, temperatureV), TEMPERATURE_V)) {
        sink.set(MetricCatalog.TEMPERATURE, temperatureV.getInt(NvmlStructs.TemperatureV1.OFFSET_TEMPERATURE));
      }
    }
    slowdown.read(device, sink);
    shutdown.read(device, sink);
    for (int i = 0; i < CLOCK_TYPES.length; i++) {
      if (!guard.skip(CLOCK_CALLS[i])
          && guard.ok(nvml.nvmlDeviceGetClockInfo(device, CLOCK_TYPES[i], out.slot(0)), CLOCK_CALLS[i])) {
        sink.set(MetricCatalog.CLOCK, CLOCK_LABELS[i], out.uint(0) * MHZ);
      }
      if (!guard.skip(MAX_CLOCK_CALLS[i])
          && guard.ok(nvml.nvmlDeviceGetMaxClockInfo(device, CLOCK_TYPES[i], out.slot(0)), MAX_CLOCK_CALLS[i])) {
        sink.set(MetricCatalog.CLOCK_MAX, CLOCK_LABELS[i], out.uint(0) * MHZ);
      }
    }
    if (scalar(CLOCK_EVENTS, NvmlLibrary::nvmlDeviceGetCurrentClocksEventReasons, device)
        || guard.missing(CLOCK_EVENTS)
        && scalar(CLOCK_THROTTLE, NvmlLibrary::nvmlDeviceGetCurrentClocksThrottleReasons, device)) {
      long reasons = out.ulong(0);
      // Every reason NVML defines gets a 0/1 series every tick, so a reason turning off is visible.
      for (int i = 0; i < ClockEventReasons.NAMES.size(); i++) {
        sink.set(MetricCatalog.CLOCK_EVENT, ClockEventReasons.NAMES.get(i), (reasons >>> i) & 1);
      }
    }
    if (scalar(PSTATE, NvmlLibrary::nvmlDeviceGetPerformanceState, device)) {
      sink.set(MetricCatalog.PSTATE, out.uint(0));
    }
    if (scalar(FAN, NvmlLibrary::nvmlDeviceGetFanSpeed, device)) {
      sink.set(MetricCatalog.FAN_SPEED, out.uint(0) / 100.0);
    }
  }

  private void readPcie(Pointer device, ReadingSink sink) throws DeviceLostException {
    if (scalar(PCIE_GEN, NvmlLibrary::nvmlDeviceGetCurrPcieLinkGeneration, device)) {
      sink.set(MetricCatalog.PCIE_LINK_GEN, out.uint(0));
    }
    if (scalar(PCIE_MAX_GEN, NvmlLibrary::nvmlDeviceGetMaxPcieLinkGeneration, device)) {
      sink.set(MetricCatalog.PCIE_LINK_GEN_MAX, out.uint(0));
    }
    if (scalar(PCIE_WIDTH, NvmlLibrary::nvmlDeviceGetCurrPcieLinkWidth, device)) {
      sink.set(MetricCatalog.PCIE_LINK_WIDTH, out.uint(0));
    }
    if (scalar(PCIE_MAX_WIDTH, NvmlLibrary::nvmlDeviceGetMaxPcieLinkWidth, device)) {
      sink.set(MetricCatalog.PCIE_LINK_WIDTH_MAX, out.uint(0));
    }
    if (scalar(PCIE_REPLAY, NvmlLibrary::nvmlDeviceGetPcieReplayCounter, device)) {
      sink.set(MetricCatalog.PCIE_REPLAY, out.uint(0));
    }
  }

  private void readErrors(Pointer device, ReadingSink sink) throws DeviceLostException {
    for (int i = 0; i < ECC_COMBOS.length; i++) {
      String call = ECC_CALLS.get(i);
      if (!guard.skip(call)
          && guard.ok(nvml.nvmlDeviceGetTotalEccErrors(device, ECC_COMBOS[i][0], ECC_COMBOS[i][1], out.slot(0)), call)) {
        sink.set(MetricCatalog.ECC_ERRORS, ECC_LABELS.get(i), NvmlValue.unsignedToDouble(out.ulong(0)));
      }
    }
    if (!guard.skip(REMAPPED_ROWS) && guard.okUnlessUnsupportedForNow(nvml.nvmlDeviceGetRemappedRows(device,
        out.slot(0), out.slot(1), out.slot(2), out.slot(3)), REMAPPED_ROWS)) {
      sink.set(MetricCatalog.REMAPPED_ROWS, "correctable", out.uint(0));
      sink.set(MetricCatalog.REMAPPED_ROWS, "uncorrectable", out.uint(1));
      sink.set(MetricCatalog.ROW_REMAP_PENDING, out.uint(2) != 0 ? 1 : 0);
      sink.set(MetricCatalog.ROW_REMAP_FAILED, out.uint(3) != 0 ? 1 : 0);
    }
  }

  private void readCodecs(Pointer device, ReadingSink sink) throws DeviceLostException {
    if (!guard.skip(ENCODER)
        && guard.ok(nvml.nvmlDeviceGetEncoderUtilization(device, out.slot(0), out.slot(1)), ENCODER)) {
      sink.set(MetricCatalog.ENCODER_UTILIZATION, out.uint(0) / 100.0);
    }
    if (!guard.skip(DECODER)
        && guard.ok(nvml.nvmlDeviceGetDecoderUtilization(device, out.slot(0), out.slot(1)), DECODER)) {
      sink.set(MetricCatalog.DECODER_UTILIZATION, out.uint(0) / 100.0);
    }
  }

  private boolean scalar(String function, ScalarCall call, Pointer device) throws DeviceLostException {
    return !guard.skip(function) && guard.ok(call.call(nvml, device, out.slot(0)), function);
  }

  private List<String> deviceInfoLabels() {
    switch (mig.mode()) {
      case MigReader.ENABLED:
        return infoEnabled;
      case MigReader.DISABLED:
        return infoDisabled;
      default:
        return infoUnsupported;
    }
  }

  /** Frees the GPM samples; the backend calls it before nvmlShutdown. */
  @Override
  public void close() {
    if (gpm != null) {
      gpm.close();
    }
  }
}
