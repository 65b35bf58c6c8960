package io.acceltel.exporter.health;

import java.util.List;

/**
 * The health of every device of a node at one tick, as {@code /health/devices} serves it.
 *
 * @param status the worst state of all devices and node reasons; {@link HealthState#HEALTHY} for a node without
 *     devices and reasons
 * @param reasons what is wrong beyond the devices listed: devices the driver reports that the exporter could not
 *     open (yet), which have no entry of their own
 */
public record NodeHealth(String node, long timestampMillis, HealthState status, List<HealthReason> reasons,
    List<DeviceHealth> devices) {
  public NodeHealth {
    reasons = List.copyOf(reasons);
    devices = List.copyOf(devices);
  }

  static NodeHealth of(String node, long timestampMillis, List<HealthReason> reasons, List<DeviceHealth> devices) {
    HealthState worst = HealthState.HEALTHY;
    for (HealthReason r : reasons) {
      worst = worst.worse(r.state());
    }
    for (DeviceHealth d : devices) {
      worst = worst.worse(d.state());
    }
    return new NodeHealth(node, timestampMillis, worst, reasons, devices);
  }

  /**
   * The node's own reasons: a device the driver lists but that the exporter could not open (lost, no handle, no
   * UUID) is failed as far as anyone placing work can tell, until it opens (the exporter tries again every 30 s).
   */
  static List<HealthReason> nodeReasons(int devicesLeftOut) {
    if (devicesLeftOut <= 0) {
      return List.of();
    }
    return List.of(new HealthReason("devices_left_out", HealthState.FAILED, devicesLeftOut
        + (devicesLeftOut == 1 ? " device the driver reports could not be opened and has"
            : " devices the driver reports could not be opened and have")
        + " no series (acceltel_exporter_devices_left_out; the start-up log says why)",
        "check them with nvidia-smi or npu-smi, and reset the device or reboot the node; the exporter opens them"
            + " within 30 s of their answering again"));
  }
}
