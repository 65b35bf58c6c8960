package io.acceltel.exporter.nvml;

import com.sun.jna.Pointer;
import io.acceltel.exporter.device.DeviceLostException;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.snapshot.ReadingSink;
import java.util.List;

/**
 * Reads the MIG mode and, while MIG is enabled, each MIG instance's identity ({@code MIG_INFO}, so attribution by
 * MIG UUID can join on it) and memory. Instance identities are read once per slot and reused while the slot's
 * handle and GPU-instance id stay the same, so a steady configuration allocates no strings per tick.
 *
 * <p>Not thread-safe; used by the tick thread.
 */
final class MigReader {
  static final String MODE = "nvmlDeviceGetMigMode";
  static final String MAX_COUNT = "nvmlDeviceGetMaxMigDeviceCount";
  static final String HANDLE = "nvmlDeviceGetMigDeviceHandleByIndex";
  static final String ENABLED = "enabled";
  static final String DISABLED = "disabled";
  static final String UNSUPPORTED = "unsupported";

  /** What one MIG slot held when it was last read. */
  private static final class Instance {
    final long handle;
    final long gpuInstance;
    final List<String> infoLabels;
    final List<String> memoryLabels;
    final MemoryInfoReader memory;

    Instance(long handle, long gpuInstance, List<String> infoLabels, MemoryInfoReader memory) {
      this.handle = handle;
      this.gpuInstance = gpuInstance;
      this.infoLabels = infoLabels;
      this.memoryLabels = List.of(infoLabels.get(0), infoLabels.get(1));
      this.memory = memory;
    }
  }

  private final NvmlLibrary nvml;
  private final CallGuard guard;
  private final NativeOut out = new NativeOut();
  private final byte[] text = new byte[NvmlLibrary.NVML_DEVICE_UUID_V2_BUFFER_SIZE];
  private Instance[] slots = new Instance[0];
  private String mode = UNSUPPORTED;

  MigReader(NvmlLibrary nvml, CallGuard guard) {
    this.nvml = nvml;
    this.guard = guard;
  }

  /** Reads the current MIG mode; {@link #mode()} then says enabled, disabled or unsupported. */
  void readMode(Pointer handle) throws DeviceLostException {
    if (guard.unsupported(MODE)) {
      mode = UNSUPPORTED;
      return;
    }
    // Refused for now (NO_PERMISSION) or failing this tick: the mode last read stands, so that a refusal does not
    // read as a MIG change, which would make the reader probe every metric again.
    if (!guard.skip(MODE) && guard.ok(nvml.nvmlDeviceGetMigMode(handle, out.slot(0), out.slot(1)), MODE)) {
      mode = out.uint(0) == 1 ? ENABLED : DISABLED;
    } else if (guard.unsupported(MODE)) {
      mode = UNSUPPORTED;
    }
  }

  String mode() {
    return mode;
  }

  /** Emits MIG_INFO and MIG memory per instance; does nothing unless the last {@link #readMode} found MIG on. */
  void readInstances(Pointer handle, ReadingSink sink) throws DeviceLostException {
    if (mode != ENABLED) {
      return;
    }
    if (!guard.ok(nvml.nvmlDeviceGetMaxMigDeviceCount(handle, out.slot(0)), MAX_COUNT)) {
      return;
    }
    int max = (int) out.uint(0);
    if (slots.length != max) {
      slots = new Instance[max];
    }
    for (int index = 0; index < max; index++) {
      int rc = nvml.nvmlDeviceGetMigDeviceHandleByIndex(handle, index, out.slot(1));
      if (rc == NvmlReturn.NOT_FOUND) {
        slots[index] = null; // an empty slot, as dcgm-exporter skips them
        continue;
      }
      if (!guard.ok(rc, HANDLE)) {
        continue;
      }
      Pointer mig = out.pointer(1);
      Instance instance = instance(index, mig);
      if (instance == null) {
        continue;
      }
      sink.set(MetricCatalog.MIG_INFO, instance.infoLabels, 1);
      if (instance.memory.read(mig)) {
        sink.set(MetricCatalog.MIG_MEMORY_USED, instance.memoryLabels, instance.memory.used());
        sink.set(MetricCatalog.MIG_MEMORY_TOTAL, instance.memoryLabels, instance.memory.total());
      }
    }
  }

  private Instance instance(int index, Pointer mig) throws DeviceLostException {
    if (!guard.ok(nvml.nvmlDeviceGetGpuInstanceId(mig, out.slot(2)), "nvmlDeviceGetGpuInstanceId")) {
      return null;
    }
    long gpuInstance = out.uint(2);
    long peer = Pointer.nativeValue(mig);
    // The UUID is read every tick: a slot re-created by a MIG reconfiguration can come back with the same handle
    // and GPU-instance id but a new UUID, and attribution joins on the UUID. Compared as bytes, it allocates nothing.
    String uuid = NvmlStrings.read(guard, "nvmlDeviceGetUUID", nvml.nvmlDeviceGetUUID(mig, text, text.length), text,
        slots[index] == null ? null : slots[index].infoLabels.get(0));
    if (uuid == null) {
      return null;
    }
    Instance cached = slots[index];
    if (cached != null && cached.handle == peer && cached.gpuInstance == gpuInstance
        && cached.infoLabels.get(0) == uuid) {
      return cached;
    }
    if (!guard.ok(nvml.nvmlDeviceGetComputeInstanceId(mig, out.slot(3)), "nvmlDeviceGetComputeInstanceId")) {
      return null;
    }
    long computeInstance = out.uint(3);
    String name = NvmlStrings.read(guard, "nvmlDeviceGetName", nvml.nvmlDeviceGetName(mig, text, text.length), text);
    List<String> labels = List.of(uuid, Long.toString(gpuInstance), Long.toString(computeInstance),
        profileOf(name == null ? "" : name));
    Instance instance = new Instance(peer, gpuInstance, labels, new MemoryInfoReader(nvml, guard));
    slots[index] = instance;
    return instance;
  }

  /** "NVIDIA H100 80GB HBM3 MIG 1g.10gb" → "1g.10gb": the MIG device name ends with its profile. */
  static String profileOf(String migDeviceName) {
    int at = migDeviceName.lastIndexOf("MIG ");
    return at < 0 ? migDeviceName : migDeviceName.substring(at + 4).trim();
  }
}
