package io.acceltel.exporter.attribution;

import io.acceltel.model.snapshot.DeviceSnapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * Attributes a device's tick to whoever holds the device (pod, container, job, tenant, user) and may add readings
 * derived from that (allocation state). Called on the tick thread for every device of every tick, so it must
 * answer from memory: the Kubernetes lookups behind it refresh asynchronously and never block a tick.
 */
@FunctionalInterface
public interface DeviceAttributor {
  DeviceSnapshot attribute(DeviceSnapshot device);

  /**
   * Attributes every device of one tick. An attributor whose sources change in the background answers the whole
   * tick from one state of them, so a pod that moves mid-tick is never on two devices, or on none, in one snapshot.
   */
  default List<DeviceSnapshot> attributeTick(List<DeviceSnapshot> devices) {
    List<DeviceSnapshot> out = new ArrayList<>(devices.size());
    for (DeviceSnapshot device : devices) {
      out.add(attribute(device));
    }
    return out;
  }

  /** Leaves every device unattributed: outside Kubernetes, or when attribution is switched off. */
  DeviceAttributor NONE = device -> device;
}
