package io.acceltel.exporter.health;

import java.util.Map;
import java.util.Set;

/**
 * What the health rules remember about one device from one tick to the next: the XID counts and when each last
 * went up (so an application XID degrades a device for a while, not forever), and which NVLink links have been up
 * (so a link that went down is told apart from one that was never connected); how often the driver-declared lost
 * device has come back, and the XID counts when it last did (a GPU that fell off the bus and returned was reset,
 * which is what the reset-class XIDs ask for; a read that was only late is no reset); the last value of each fault
 * input (ECC, row remapping, recovery action), so that one failed read does not clear a failed verdict for a tick;
 * how many ticks in a row the device answered without any of its core readings, and how many kinds of them it ever
 * gave; and the reasons held after they cleared, by code, with when each was last seen. Immutable.
 */
public record DeviceHistory(Map<String, Double> xidCounts, Map<String, Long> xidLastIncreaseMillis,
    Set<String> linksSeenUp, double recoveries, Map<String, Double> xidCountsAtRecovery,
    Map<String, Seen> lastFaultInputs, int ticksWithoutCoreReadings, int coreKindsSeen, Map<String, Held> held) {
  public static final DeviceHistory EMPTY = new DeviceHistory(Map.of(), Map.of(), Set.of(), 0, Map.of(), Map.of(),
      0, 0, Map.of());

  /** A reading's value, and when it was read. */
  public record Seen(double value, long atMillis) {}

  /** A reason as last seen, and when. */
  public record Held(HealthReason reason, long lastSeenMillis) {}

  public DeviceHistory {
    xidCounts = Map.copyOf(xidCounts);
    xidLastIncreaseMillis = Map.copyOf(xidLastIncreaseMillis);
    linksSeenUp = Set.copyOf(linksSeenUp);
    xidCountsAtRecovery = Map.copyOf(xidCountsAtRecovery);
    lastFaultInputs = Map.copyOf(lastFaultInputs);
    held = Map.copyOf(held);
  }
}
