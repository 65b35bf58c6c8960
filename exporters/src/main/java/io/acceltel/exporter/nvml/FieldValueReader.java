package io.acceltel.exporter.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.acceltel.exporter.device.DeviceLostException;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.snapshot.ReadingSink;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the cheap {@code NVML_FI_*} fields in one {@code nvmlDeviceGetFieldValues} call per tick: memory
 * temperature, temperature thresholds, and the PCIe and NVLink byte counters, which become per-second rates here.
 * The PCIe counters replace {@code nvmlDeviceGetPcieThroughput}, which blocks for its 20 ms window.
 *
 * <p>Every entry carries its own return code. An entry that answers NOT_SUPPORTED is dropped from the request for
 * good; one that fails otherwise is counted and skipped for the tick.
 *
 * <p>Not thread-safe; used by the tick thread.
 */
final class FieldValueReader {
  static final String FUNCTION = "nvmlDeviceGetFieldValues";
  static final int FI_MEMORY_TEMP = 82;
  static final int FI_TEMPERATURE_SHUTDOWN_TLIMIT = 193;
  static final int FI_TEMPERATURE_SLOWDOWN_TLIMIT = 194;
  static final int FI_PCIE_COUNT_TX_BYTES = 197;
  static final int FI_PCIE_COUNT_RX_BYTES = 198;
  static final int FI_NVLINK_THROUGHPUT_DATA_TX = 138;
  static final int FI_NVLINK_THROUGHPUT_DATA_RX = 139;
  /** scopeId UINT_MAX asks for the sum over all NVLink links. */
  private static final int SCOPE_ALL_LINKS = 0xFFFF_FFFF;

  /** One requested field and what its value becomes. */
  private static final class Field {
    final int id;
    final int scopeId;
    final String name;
    final CounterRate rate;

    Field(int id, int scopeId, CounterRate rate) {
      this.id = id;
      this.scopeId = scopeId;
      this.name = FUNCTION + "(" + id + ")";
      this.rate = rate;
    }
  }

  private final NvmlLibrary nvml;
  private final CallGuard guard;
  private final List<Field> fields = new ArrayList<>();
  private final Memory request;
  private boolean requestStale = true;

  FieldValueReader(NvmlLibrary nvml, CallGuard guard) {
    this.nvml = nvml;
    this.guard = guard;
    fields.add(new Field(FI_MEMORY_TEMP, 0, null));
    fields.add(new Field(FI_TEMPERATURE_SHUTDOWN_TLIMIT, 0, null));
    fields.add(new Field(FI_TEMPERATURE_SLOWDOWN_TLIMIT, 0, null));
    fields.add(new Field(FI_PCIE_COUNT_TX_BYTES, 0, new CounterRate(1.0)));
    fields.add(new Field(FI_PCIE_COUNT_RX_BYTES, 0, new CounterRate(1.0)));
    fields.add(new Field(FI_NVLINK_THROUGHPUT_DATA_TX, SCOPE_ALL_LINKS, new CounterRate(1024.0)));
    fields.add(new Field(FI_NVLINK_THROUGHPUT_DATA_RX, SCOPE_ALL_LINKS, new CounterRate(1024.0)));
    request = new Memory((long) fields.size() * NvmlStructs.FieldValue.SIZE);
  }

  void read(Pointer handle, long tickMillis, ReadingSink sink) throws DeviceLostException {
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
      if (rc == NvmlReturn.NOT_SUPPORTED) {
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
      emit(field, valueType, raw, tickMillis, sink);
    }
    if (unsupported != null) {
      fields.removeAll(unsupported);
      requestStale = true;
    }
  }

  private void emit(Field field, int valueType, long raw, long tickMillis, ReadingSink sink) {
    double value = NvmlValue.toDouble(valueType, raw);
    switch (field.id) {
      case FI_MEMORY_TEMP:
        sink.set(MetricCatalog.MEMORY_TEMPERATURE, value);
        return;
      case FI_TEMPERATURE_SHUTDOWN_TLIMIT:
        sink.set(MetricCatalog.TEMPERATURE_SHUTDOWN, value);
        return;
      case FI_TEMPERATURE_SLOWDOWN_TLIMIT:
        sink.set(MetricCatalog.TEMPERATURE_SLOWDOWN, value);
        return;
      default:
        break;
    }
    double rate = field.rate.update(value, NvmlValue.is32Bit(valueType), tickMillis);
    if (Double.isNaN(rate)) {
      return;
    }
    switch (field.id) {
      case FI_PCIE_COUNT_TX_BYTES:
        sink.set(MetricCatalog.PCIE_TX, rate);
        break;
      case FI_PCIE_COUNT_RX_BYTES:
        sink.set(MetricCatalog.PCIE_RX, rate);
        break;
      case FI_NVLINK_THROUGHPUT_DATA_TX:
        sink.set(MetricCatalog.NVLINK_TX, rate);
        break;
      case FI_NVLINK_THROUGHPUT_DATA_RX:
        sink.set(MetricCatalog.NVLINK_RX, rate);
        break;
      default:
        break;
    }
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
