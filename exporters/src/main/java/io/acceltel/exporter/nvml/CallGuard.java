package io.acceltel.exporter.nvml;

import io.acceltel.exporter.device.DeviceLostException;
import io.acceltel.exporter.device.NativeCallObserver;
import io.acceltel.model.snapshot.DeviceIdentity;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Turns one device's NVML return codes into the exporter's policy: SUCCESS reads the output, NOT_SUPPORTED leaves
 * the metric out (the observer logs it once and the function is not called again until {@link #reset}, after a
 * recovery or a MIG mode change), FUNCTION_NOT_FOUND (the driver lacks the function) does the same, GPU_IS_LOST
 * throws {@link DeviceLostException}, and any other code is counted through {@link NativeCallObserver#failed} and
 * leaves the metric out for this tick only. NO_PERMISSION is counted too, but the function is then asked again only
 * after {@link #DENIED_RETRY_NANOS}: a process's privileges do not change while it runs (aggregate process data on a
 * MIG parent, GPM where profiling is restricted to admins), and asking every tick would count the same refusal
 * forever.
 *
 * <pre>{@code
 * if (!guard.skip(FAN) && guard.ok(nvml.nvmlDeviceGetFanSpeed(handle, out.slot(0)), FAN)) {
 *   sink.set(MetricCatalog.FAN_SPEED, out.uint(0) / 100.0);
 * }
 * }</pre>
 *
 * <p>Thread-safe: the tick thread and the background (energy) thread share one guard.
 */
final class CallGuard {
  static final String BACKEND = "nvml";

  private final DeviceIdentity identity;
  private final NativeCallObserver observer;
  private final Set<String> unsupported = ConcurrentHashMap.newKeySet();
  private final Set<String> missing = ConcurrentHashMap.newKeySet();
  /** Functions that answered NOT_SUPPORTED for now ({@link #okUnlessUnsupportedForNow}), told once. */
  private final Set<String> unsupportedForNow = ConcurrentHashMap.newKeySet();
  /** Function → when it may be asked again after NO_PERMISSION (nanoClock time). */
  private final Map<String, Long> deniedUntil = new ConcurrentHashMap<>();
  private final LongSupplier nanoClock;
  static final long DENIED_RETRY_NANOS = TimeUnit.MINUTES.toNanos(1);

  CallGuard(DeviceIdentity identity, NativeCallObserver observer, LongSupplier nanoClock) {
    this.identity = identity;
    this.observer = observer;
    this.nanoClock = nanoClock;
  }

  /**
   * True when calling the function now is pointless: it answered NOT_SUPPORTED before, or NO_PERMISSION (or
   * NOT_SUPPORTED for now) less than a minute ago.
   */
  boolean skip(String function) {
    if (unsupported.contains(function)) {
      return true;
    }
    Long until = deniedUntil.get(function);
    if (until == null) {
      return false;
    }
    if (nanoClock.getAsLong() - until < 0) {
      return true;
    }
    deniedUntil.remove(function, until);
    return false;
  }

  /**
   * True when {@code rc} is SUCCESS and the outputs may be read.
   *
   * @throws DeviceLostException on NVML_ERROR_GPU_IS_LOST
   */
  boolean ok(int rc, String function) throws DeviceLostException {
    if (rc == NvmlReturn.SUCCESS) {
      return true;
    }
    if (rc == NvmlReturn.NOT_SUPPORTED) {
      markUnsupported(function);
      return false;
    }
    if (rc == NvmlReturn.FUNCTION_NOT_FOUND) {
      // The driver does not have the function at all: as unsupported, until a reset asks again (the same driver
      // answers the same), and remembered so that an older name of the call can stand in.
      missing.add(function);
      markUnsupported(function);
      return false;
    }
    lostIf(rc, function);
    failed(rc, function);
    if (rc == NvmlReturn.NO_PERMISSION) {
      deniedUntil.put(function, nanoClock.getAsLong() + DENIED_RETRY_NANOS);
    }
    return false;
  }

  /**
   * As {@link #ok}, for a call a device refuses in one configuration only: NOT_SUPPORTED is logged once and the call
   * asked again a minute later, not left for good. Remapped rows are not reported while MIG instances exist, and
   * come back when they are destroyed, which changes no MIG mode and so resets nothing.
   */
  boolean okUnlessUnsupportedForNow(int rc, String function) throws DeviceLostException {
    if (rc != NvmlReturn.NOT_SUPPORTED) {
      return ok(rc, function);
    }
    if (unsupportedForNow.add(function)) {
      observer.unsupported(identity, function);
    }
    deniedUntil.put(function, nanoClock.getAsLong() + DENIED_RETRY_NANOS);
    return false;
  }

  /**
   * True when the function answered NOT_SUPPORTED (or is missing): the device lacks the feature. Unlike
   * {@link #skip}, not true while the call is only refused for now (NO_PERMISSION).
   */
  boolean unsupported(String function) {
    return unsupported.contains(function);
  }

  /** True when the driver does not export the function, so an older name of the same call may stand in. */
  boolean missing(String function) {
    return missing.contains(function);
  }

  /** Records NOT_SUPPORTED for a function (or a field) without a call, e.g. for one entry of a batched call. */
  void markUnsupported(String function) {
    if (unsupported.add(function)) {
      observer.unsupported(identity, function);
    }
  }

  /** Counts a failure that is neither NOT_SUPPORTED nor GPU_IS_LOST. */
  void failed(int rc, String function) {
    observer.failed(BACKEND, function, rc, NvmlReturn.name(rc));
    if (rc == NvmlReturn.LIB_RM_VERSION_MISMATCH || rc == NvmlReturn.DRIVER_NOT_LOADED
        || rc == NvmlReturn.UNINITIALIZED) {
      observer.backendUnusable(BACKEND, function + " returned " + NvmlReturn.name(rc) + ": the NVIDIA driver was "
          + "unloaded, reloaded or upgraded under the exporter, and NVML only recovers by being initialized again, "
          + "in a new process");
    }
  }

  /** Throws when the code says the GPU fell off the bus. */
  void lostIf(int rc, String function) throws DeviceLostException {
    if (rc == NvmlReturn.GPU_IS_LOST) {
      throw new DeviceLostException("GPU " + identity.index() + " (" + identity.uuid() + ") is lost: " + function
          + " returned NVML_ERROR_GPU_IS_LOST");
    }
  }

  /** Forgets what was unsupported: after a recovery the device may be a different board or mode. */
  void reset() {
    unsupported.clear();
    unsupportedForNow.clear();
    deniedUntil.clear();
  }

  DeviceIdentity identity() {
    return identity;
  }
}
