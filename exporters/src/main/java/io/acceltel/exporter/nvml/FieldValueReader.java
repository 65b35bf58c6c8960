package io.acceltel.exporter.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.acceltel.exporter.device.DeviceLostException;
import io.acceltel.model.catalog.ClockLimits;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.snapshot.ReadingSink;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a fixed set of {@code NVML_FI_*} fields in one {@code nvmlDeviceGetFieldValues} call. Two sets exist:
 * {@link #perTick} holds the cheap fields of every tick (memory temperature, the driver's
 * recovery action, and the PCIe and NVLink byte counters, which become per-second rates here; the PCIe counters replace
 * {@code nvmlDeviceGetPcieThroughput}, which blocks for its 20 ms window), and {@link #clockLimits} the perf-policy
 * throttle-time counters, which the background read takes because one of them alone costs 0.5-3.5 ms on an H100
 * (reference/nvml.md §2.7).
 *
 * <p>Every entry carries its own return code. An entry that answers NOT_SUPPORTED, or INVALID_ARGUMENT (a driver
 * older than the field: the recovery action before R570), is dropped from the request for good; one that fails
 * otherwise is counted and skipped for that read.
 *
 * <p>Not thread-safe: each instance belongs to one thread.
 */
final class FieldValueReader {
  static final String FUNCTION = "nvmlDeviceGetFieldValues";
  static final int FI_MEMORY_TEMP = 82;
  static final int FI_PCIE_COUNT_TX_BYTES = 197;
  static final int FI_PCIE_COUNT_RX_BYTES = 198;
  static final int FI_NVLINK_THROUGHPUT_DATA_TX = 138;
  static final int FI_NVLINK_THROUGHPUT_DATA_RX = 139;
  static final int FI_GPU_RECOVERY_ACTION = 230;
  /** NVML_FI_DEV_PERF_POLICY_POWER; the other perf policies follow it in {@link ClockLimits#NAMES}' order. */
  static final int FI_PERF_POLICY_POWER = 74;
  /** scopeId UINT_MAX asks for the sum over all NVLink links. */
  private static final int SCOPE_ALL_LINKS = 0xFFFF_FFFF;
  private static final double NANOSECONDS = 1e-9;

  /** What a field's value becomes in the readings. */
  @FunctionalInterface
  private interface Emitter {
    void emit(double value, boolean wrapsAt32Bits, long nowMillis, ReadingSink sink);
  }

  /** One requested field and what its value becomes. */
  private static final class Field {
    final int id;
    final int scopeId;
    final String name;
    /** The counter behind a rate, forgotten when the field fails; null for plain values. */
    final CounterRate rate;
    final Emitter emitter;

    Field(int id, int scopeId, CounterRate rate, Emitter emitter) {
      this.id = id;
      this.scopeId = scopeId;
      this.name = FUNCTION + "(" + id + ")";
      this.rate = rate;
      this.emitter = emitter;
    }
  }

  private final NvmlLibrary nvml;
  private final CallGuard guard;
  private final List<Field> all;
  /** The fields still requested: those that answered NOT_SUPPORTED are dropped until {@link #reprobe()}. */
  private final List<Field> fields;
  private final Memory request;
  private boolean requestStale = true;
  /** Set from another thread by {@link #reprobe()}; applied by the reading thread. */
  private volatile boolean reprobe;

  private FieldValueReader(NvmlLibrary nvml, CallGuard guard, List<Field> fields) {
    this.nvml = nvml;
    this.guard = guard;
    this.all = List.copyOf(fields);
    this.fields = new ArrayList<>(fields);
    this.request = new Memory((long) fields.size() * NvmlStructs.FieldValue.SIZE);
  }

  /** The cheap fields, read on every tick. */
  static FieldValueReader perTick(NvmlLibrary nvml, CallGuard guard) {
    return new FieldValueReader(nvml, guard, List.of(
        value(FI_MEMORY_TEMP, MetricCatalog.MEMORY_TEMPERATURE),
        rate(FI_PCIE_COUNT_TX_BYTES, 0, 1.0, MetricCatalog.PCIE_TX),
        rate(FI_PCIE_COUNT_RX_BYTES, 0, 1.0, MetricCatalog.PCIE_RX),
        rate(FI_NVLINK_THROUGHPUT_DATA_TX, SCOPE_ALL_LINKS, 1024.0, MetricCatalog.NVLINK_TX),
        rate(FI_NVLINK_THROUGHPUT_DATA_RX, SCOPE_ALL_LINKS, 1024.0, MetricCatalog.NVLINK_RX),
        value(FI_GPU_RECOVERY_ACTION, MetricCatalog.RECOVERY_ACTION)));
  }

  /** The throttle time of each perf policy, in nanoseconds since the driver loaded; read in the background. */
  static FieldValueReader clockLimits(NvmlLibrary nvml, CallGuard guard) {
    List<Field> fields = new ArrayList<>();
    for (int i = 0; i < ClockLimits.NAMES.size(); i++) {
      String limit = ClockLimits.NAMES.get(i);
      fields.add(new Field(FI_PERF_POLICY_POWER + i, 0, null,
          (value, wraps, now, sink) -> sink.set(MetricCatalog.CLOCK_LIMITED, limit, value * NANOSECONDS)));
    }
    return new FieldValueReader(nvml, guard, fields);
  }

  private static Field value(int id, MetricDefinition metric) {
    return new Field(id, 0, null, (value, wraps, now, sink) -> sink.set(metric, value));
  }

  private static Field rate(int id, int scopeId, double scale, MetricDefinition metric) {
    CounterRate rate = new CounterRate(scale);
    return new Field(id, scopeId, rate, (value, wraps, now, sink) -> {
      double perSecond = rate.update(value, wraps, now);
      if (!Double.isNaN(perSecond)) {
        sink.set(metric, perSecond);
      }
    });
  }

  /** @param nowMillis when the values are read, on a monotonic clock in milliseconds: the rates divide by it */
  void read(Pointer handle, long nowMillis, ReadingSink sink) throws DeviceLostException {
    if (reprobe) {
      reprobe = false;
      fields.clear();
      fields.addAll(all);
      all.stream().filter(f -> f.rate != null).forEach(f -> f.rate.reset());
      requestStale = true;
    }
    if (fields.isEmpty() || guard.skip(FUNCTION)) {
      return;
    }
    if (requestStale) {
      writeRequest();
    }
    int count = fields.size();
    if (!guard.ok(nvml.nvmlDeviceGetFieldValues(handle, count, request), FUNCTION)) {
      return;
    }
    List<Field> unsupported = null;
    for (int i = 0; i < count; i++) {
      Field field = fields.get(i);
      long base = (long) i * NvmlStructs.FieldValue.SIZE;
      int rc = request.getInt(base + NvmlStructs.FieldValue.OFFSET_RETURN);
      if (rc == NvmlReturn.NOT_SUPPORTED || rc == NvmlReturn.INVALID_ARGUMENT) {
        guard.markUnsupported(field.name);
        unsupported = unsupported == null ? new ArrayList<>() : unsupported;
        unsupported.add(field);
        continue;
      }
      if (rc != NvmlReturn.SUCCESS) {
        guard.lostIf(rc, field.name);
        guard.failed(rc, field.name);
        if (field.rate != null) {
          field.rate.reset();
        }
        continue;
      }
      int valueType = request.getInt(base + NvmlStructs.FieldValue.OFFSET_VALUE_TYPE);
      long raw = request.getLong(base + NvmlStructs.FieldValue.OFFSET_VALUE);
      field.emitter.emit(NvmlValue.toDouble(valueType, raw), NvmlValue.is32Bit(valueType), nowMillis, sink);
    }
    if (unsupported != null) {
      fields.removeAll(unsupported);
      requestStale = true;
    }
  }

  /**
   * Asks every field again from the next read on, and starts the rates over: after a GPU reset or a MIG mode change
   * what the device supports may differ, and its counters may have restarted.
   */
  void reprobe() {
    reprobe = true;
  }

  private void writeRequest() {
    request.clear();
    for (int i = 0; i < fields.size(); i++) {
      long base = (long) i * NvmlStructs.FieldValue.SIZE;
      request.setInt(base + NvmlStructs.FieldValue.OFFSET_FIELD_ID, fields.get(i).id);
      request.setInt(base + NvmlStructs.FieldValue.OFFSET_SCOPE_ID, fields.get(i).scopeId);
    }
    requestStale = false;
  }
}
