package io.acceltel.exporter.health;

import java.util.List;

/**
 * The health of every device of a node at one tick, as {@code /health/devices} serves it.
 *
 * @param status the worst state of all devices; {@link HealthState#HEALTHY} for a node without devices
 */
public record NodeHealth(String node, long timestampMillis, HealthState status, List<DeviceHealth> devices) {
  public NodeHealth {
    devices = List.copyOf(devices);
  }

  static NodeHealth of(String node, long timestampMillis, List<DeviceHealth> devices) {
    HealthState worst = HealthState.HEALTHY;
    for (DeviceHealth d : devices) {
      worst = worst.worse(d.state());
    }
    return new NodeHealth(node, timestampMillis, worst, devices);
  }
}
