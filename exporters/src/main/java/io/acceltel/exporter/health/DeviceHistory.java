package io.acceltel.exporter.health;

import java.util.Map;
import java.util.Set;

/**
 * What the health rules remember about one device from one tick to the next: the XID counts and when each last
 * went up (so an application XID degrades a device for a while, not forever), and which NVLink links have been up
 * (so a link that went down is told apart from one that was never connected). Immutable.
 */
public record DeviceHistory(Map<String, Double> xidCounts, Map<String, Long> xidLastIncreaseMillis,
    Set<String> linksSeenUp) {
  public static final DeviceHistory EMPTY = new DeviceHistory(Map.of(), Map.of(), Set.of());

  public DeviceHistory {
    xidCounts = Map.copyOf(xidCounts);
    xidLastIncreaseMillis = Map.copyOf(xidLastIncreaseMillis);
    linksSeenUp = Set.copyOf(linksSeenUp);
  }
}
