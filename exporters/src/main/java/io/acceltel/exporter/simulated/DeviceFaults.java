package io.acceltel.exporter.simulated;

import java.util.Map;
import java.util.TreeMap;

/**
 * Faults injected into one simulated device. Written by whoever calls the backend's {@code inject*} methods (a test,
 * the demo), read by the device's reader threads; every access holds this object's lock, so a read never sees an
 * XID counted without being the last XID.
 */
final class DeviceFaults {
  private final Map<Integer, Long> xidCounts = new TreeMap<>();
  private int lastXid;
  private boolean thermalSlowdown;
  private boolean lost;

  synchronized void xid(int xid) {
    xidCounts.merge(xid, 1L, Long::sum);
    lastXid = xid;
  }

  synchronized void thermalSlowdown(boolean on) {
    thermalSlowdown = on;
  }

  synchronized void lost(boolean lost) {
    this.lost = lost;
  }

  synchronized boolean isLost() {
    return lost;
  }

  /** A consistent copy for one tick. */
  synchronized Snapshot snapshot() {
    return new Snapshot(Map.copyOf(xidCounts), lastXid, thermalSlowdown, lost);
  }

  /** @param xidCounts XID code to how often it was injected; unordered, so sort before emitting */
  record Snapshot(Map<Integer, Long> xidCounts, int lastXid, boolean thermalSlowdown, boolean lost) {}
}
