package io.acceltel.model.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * One tick of one node: every device's snapshot at a wall-clock aligned timestamp. This is what {@code /metrics}
 * serves and what the Kafka sink sends.
 */
public record NodeSnapshot(String node, long timestampMillis, List<DeviceSnapshot> devices) {
  public NodeSnapshot {
    Objects.requireNonNull(node, "node");
    devices = List.copyOf(devices);
  }
}
