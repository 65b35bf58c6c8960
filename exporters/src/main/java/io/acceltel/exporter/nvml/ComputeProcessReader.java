package io.acceltel.exporter.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.acceltel.exporter.device.DeviceLostException;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.snapshot.ReadingSink;

/**
 * Counts compute processes and sums their device memory ({@code nvmlDeviceGetComputeRunningProcesses_v3}).
 *
 * <p>The entry stride is probed, not trusted: the header says 24 bytes ({@code nvmlProcessInfo_t}), but R535-era
 * drivers wrote 32-byte entries through the same symbol, which shuffles pid and memory values. The buffer is filled
 * with 0xAA before the call; for n entries, bytes {@code [24n, 32n)} stay 0xAA only when the driver wrote 24-byte
 * entries. The first probe with at least one process decides the stride for the reader's lifetime.
 *
 * <p>Not thread-safe; used by the tick thread.
 */
final class ComputeProcessReader {
  static final String FUNCTION = "nvmlDeviceGetComputeRunningProcesses_v3";
  private static final byte FILL = (byte) 0xAA;
  private static final int INITIAL_ENTRIES = 32;

  private final NvmlLibrary nvml;
  private final CallGuard guard;
  private final NativeOut out = new NativeOut();
  private Memory buffer = new Memory((long) INITIAL_ENTRIES * NvmlStructs.ProcessInfo.DETAIL_SIZE);
  private int capacity = INITIAL_ENTRIES;
  /** 0 until probed. */
  private int stride;

  ComputeProcessReader(NvmlLibrary nvml, CallGuard guard) {
    this.nvml = nvml;
    this.guard = guard;
  }

  void read(Pointer handle, ReadingSink sink) throws DeviceLostException {
    if (guard.skip(FUNCTION)) {
      return;
    }
    int rc = call(handle);
    if (rc == NvmlReturn.INSUFFICIENT_SIZE) {
      // More processes than entries. For this function INSUFFICIENT_SIZE is documented to return the needed
      // count in infoCount (the one output read after a non-zero code); leave headroom for processes starting.
      int needed = (int) out.uint(0);
      capacity = Math.max(needed + 8, capacity * 2);
      buffer = new Memory((long) capacity * NvmlStructs.ProcessInfo.DETAIL_SIZE);
      rc = call(handle);
    }
    if (!guard.ok(rc, FUNCTION)) {
      return;
    }
    int count = (int) Math.min(out.uint(0), capacity);
    if (count > 0 && stride == 0) {
      stride = probeStride(count);
    }
    long used = 0;
    for (int i = 0; i < count; i++) {
      long memory = buffer.getLong((long) i * stride + NvmlStructs.ProcessInfo.OFFSET_USED_GPU_MEMORY);
      if (memory != NvmlLibrary.NVML_VALUE_NOT_AVAILABLE) {
        used += memory;
      }
    }
    sink.set(MetricCatalog.PROCESSES, count);
    sink.set(MetricCatalog.PROCESS_MEMORY, NvmlValue.unsignedToDouble(used));
  }

  private int call(Pointer handle) {
    if (stride == 0) {
      buffer.setMemory(0, buffer.size(), FILL);
    }
    Pointer count = out.slot(0);
    // With the stride unknown, offer only as many entries as fit at the wider stride, so a 32-byte driver cannot
    // write past the buffer.
    count.setInt(0, capacity);
    return nvml.nvmlDeviceGetComputeRunningProcesses_v3(handle, count, buffer);
  }

  private int probeStride(int count) {
    long from = (long) count * NvmlStructs.ProcessInfo.SIZE;
    long to = (long) count * NvmlStructs.ProcessInfo.DETAIL_SIZE;
    for (long i = from; i < to; i++) {
      if (buffer.getByte(i) != FILL) {
        return NvmlStructs.ProcessInfo.DETAIL_SIZE;
      }
    }
    return NvmlStructs.ProcessInfo.SIZE;
  }

  /** The probed entry stride in bytes, 0 while no process has been seen. */
  int stride() {
    return stride;
  }
}
