package io.acceltel.exporter.attribution;

import io.acceltel.model.snapshot.DeviceSnapshot;

/**
 * Attributes a device's tick to whoever holds the device (pod, container, job, tenant, user) and may add readings
 * derived from that (allocation state). Called on the tick thread for every device of every tick, so it must
 * answer from memory: the Kubernetes lookups behind it refresh asynchronously and never block a tick.
 */
@FunctionalInterface
public interface DeviceAttributor {
  DeviceSnapshot attribute(DeviceSnapshot device);

  /** Leaves every device unattributed: outside Kubernetes, or when attribution is switched off. */
  DeviceAttributor NONE = device -> device;
}
