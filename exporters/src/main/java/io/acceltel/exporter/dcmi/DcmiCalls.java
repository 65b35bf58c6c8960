package io.acceltel.exporter.dcmi;

import io.acceltel.exporter.device.DeviceLostException;
import io.acceltel.exporter.device.NativeCallObserver;
import io.acceltel.model.snapshot.DeviceIdentity;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * One NPU's DCMI error policy, per call:
 *
 * <ul>
 *   <li>0: the outputs may be read;
 *   <li>-8255 (not supported), or a symbol the driver does not export: the metric is left out for good, the
 *       observer is told once and the function is not called again;
 *   <li>-8008 (device does not exist): {@link DeviceLostException}, so the loop reports the NPU lost and tries
 *       {@code recover()} on later ticks;
 *   <li>-8012 (not ready: the driver is initializing or resetting) and every other code: counted through
 *       {@link NativeCallObserver#failed}; the metric is absent for this tick and the call is retried next tick.
 *       (The reader counts an NPU whose health call stays not ready as lost: a dropped card answers so.)
 * </ul>
 *
 * <pre>{@code
 * if (calls.ok(POWER, () -> dcmi.dcmi_get_device_power_info(card, device, out))) {
 *   sink.set(MetricCatalog.POWER, out.getInt(0) / 10.0);
 * }
 * }</pre>
 */
final class DcmiCalls {
  static final String BACKEND = "dcmi";

  private final DeviceIdentity identity;
  private final NativeCallObserver observer;
  private final Set<String> unsupported = ConcurrentHashMap.newKeySet();

  DcmiCalls(DeviceIdentity identity, NativeCallObserver observer) {
    this.identity = identity;
    this.observer = observer;
  }

  /** Calls {@code call} unless {@code function} is known to be unsupported; true when it returned 0. */
  boolean ok(String function, IntSupplier call) throws DeviceLostException {
    return code(function, call) == DcmiReturn.SUCCESS;
  }

  /**
   * As {@link #ok}, returning the code the call answered after applying the policy; not supported when it was not
   * made, being known unsupported.
   */
  int code(String function, IntSupplier call) throws DeviceLostException {
    if (unsupported.contains(function)) {
      return DcmiReturn.NOT_SUPPORTED;
    }
    // A function an older driver does not export answers -8255 too (see DcmiBackend).
    int rc = call.getAsInt();
    if (rc == DcmiReturn.SUCCESS) {
      return rc;
    }
    if (DcmiReturn.permanent(rc)) {
      // Asking again every tick would only count a failure every tick.
      if (unsupported.add(function)) {
        observer.unsupported(identity, function);
      }
      return rc;
    }
    if (rc == DcmiReturn.DEVICE_NOT_EXIST) {
      throw new DeviceLostException("NPU " + identity.index() + " (" + identity.uuid() + ") is lost: " + function
          + " returned " + DcmiReturn.name(rc) + " (" + rc + ")");
    }
    observer.failed(BACKEND, function, rc, DcmiReturn.name(rc));
    return rc;
  }

  /** True once {@code function} answered not supported (or is missing from the library). */
  boolean unsupported(String function) {
    return unsupported.contains(function);
  }

  /** Forgets what was unsupported, after a recovery. */
  void reset() {
    unsupported.clear();
  }
}
