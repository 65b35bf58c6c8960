package io.acceltel.exporter.health;

import java.util.Map;
import java.util.Set;

/**
 * What the health rules remember about one device from one tick to the next: the XID counts and when each last
 * went up (so an application XID degrades a device for a while, not forever), and which NVLink links have been up
 * (so a link that went down is told apart from one that was never connected); whether the device was lost, and
 * the XID counts when it last came back (a GPU that fell off the bus and returned was reset, which is what the
 * reset-class XIDs ask for). Immutable.
 */
public record DeviceHistory(Map<String, Double> xidCounts, Map<String, Long> xidLastIncreaseMillis,
    Set<String> linksSeenUp, boolean lost, Map<String, Double> xidCountsAtRecovery) {
  public static final DeviceHistory EMPTY = new DeviceHistory(Map.of(), Map.of(), Set.of(), false, Map.of());

  public DeviceHistory {
    xidCounts = Map.copyOf(xidCounts);
    xidLastIncreaseMillis = Map.copyOf(xidLastIncreaseMillis);
    linksSeenUp = Set.copyOf(linksSeenUp);
    xidCountsAtRecovery = Map.copyOf(xidCountsAtRecovery);
  }
}
