package io.acceltel.exporter.device;

import io.acceltel.model.snapshot.DeviceIdentity;

/** Told about native calls that did not succeed; implemented by the exporter's self-metrics and log. */
public interface NativeCallObserver {
  /**
   * A call returned NOT_SUPPORTED for this device: the metric is left out for the device, and this is logged once
   * per device and function.
   */
  void unsupported(DeviceIdentity device, String function);

  /** A call failed with any other code; counted by function and code. */
  void failed(String backend, String function, int code, String codeName);

  /**
   * A failure says the whole backend is unusable until the process starts again (the driver was unloaded or
   * upgraded under it): liveness turns unhealthy, so that Kubernetes restarts the exporter.
   */
  default void backendUnusable(String backend, String why) {}

  NativeCallObserver NOOP = new NativeCallObserver() {
    @Override
    public void unsupported(DeviceIdentity device, String function) {}

    @Override
    public void failed(String backend, String function, int code, String codeName) {}
  };
}
