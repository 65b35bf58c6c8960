package io.acceltel.exporter.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.acceltel.exporter.device.DeviceLostException;

/**
 * Reads device memory with {@code nvmlDeviceGetMemoryInfo_v2}, whose {@code used} excludes what the driver
 * reserves, and falls back to v1 for good when the driver answers FUNCTION_NOT_FOUND (13, what driver 580 returns
 * for a version it does not know) or ARGUMENT_VERSION_MISMATCH (25), or lacks the symbol. With v1, {@code used}
 * includes the reserved memory and {@link #reserved()} is NaN.
 *
 * <p>Not thread-safe; one per handle, used by the tick thread.
 */
final class MemoryInfoReader {
  static final String V2 = "nvmlDeviceGetMemoryInfo_v2";
  static final String V1 = "nvmlDeviceGetMemoryInfo";

  private final NvmlLibrary nvml;
  private final CallGuard guard;
  private final Memory v2 = new Memory(NvmlStructs.MemoryV2.SIZE);
  private final Memory v1 = new Memory(NvmlStructs.MemoryV1.SIZE);
  private boolean useV1;
  private double total;
  private double used;
  private double free;
  private double reserved;

  MemoryInfoReader(NvmlLibrary nvml, CallGuard guard) {
    this.nvml = nvml;
    this.guard = guard;
  }

  /** Asks the v2 API again from the next read: a MIG instance that did not answer it may be gone. */
  void reprobe() {
    useV1 = false;
  }

  /** True when the values were read; then {@link #total()} and the others hold bytes. */
  boolean read(Pointer handle) throws DeviceLostException {
    if (!useV1) {
      v2.setInt(NvmlStructs.MemoryV2.OFFSET_VERSION, NvmlStructs.MemoryV2.VERSION_2);
      int rc = nvml.nvmlDeviceGetMemoryInfo_v2(handle, v2);
      // A driver without the v2 API, or a device (a MIG instance) that does not answer it: v1 has the same
      // total, used and free, only not the reserved part.
      if (rc == NvmlReturn.FUNCTION_NOT_FOUND || rc == NvmlReturn.ARGUMENT_VERSION_MISMATCH
          || rc == NvmlReturn.NOT_SUPPORTED) {
        useV1 = true;
      } else if (guard.ok(rc, V2)) {
        total = NvmlValue.unsignedField(v2, NvmlStructs.MemoryV2.OFFSET_TOTAL);
        used = NvmlValue.unsignedField(v2, NvmlStructs.MemoryV2.OFFSET_USED);
        free = NvmlValue.unsignedField(v2, NvmlStructs.MemoryV2.OFFSET_FREE);
        reserved = NvmlValue.unsignedField(v2, NvmlStructs.MemoryV2.OFFSET_RESERVED);
        return true;
      } else {
        return false;
      }
    }
    if (guard.skip(V1) || !guard.ok(nvml.nvmlDeviceGetMemoryInfo(handle, v1), V1)) {
      return false;
    }
    total = NvmlValue.unsignedField(v1, NvmlStructs.MemoryV1.OFFSET_TOTAL);
    used = NvmlValue.unsignedField(v1, NvmlStructs.MemoryV1.OFFSET_USED);
    free = NvmlValue.unsignedField(v1, NvmlStructs.MemoryV1.OFFSET_FREE);
    reserved = Double.NaN;
    return true;
  }

  double total() {
    return total;
  }

  double used() {
    return used;
  }

  double free() {
    return free;
  }

  /** Reserved bytes; NaN when only the v1 call is available. */
  double reserved() {
    return reserved;
  }
}
