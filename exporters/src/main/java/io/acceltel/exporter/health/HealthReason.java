package io.acceltel.exporter.health;

import java.util.Objects;

/**
 * One reason a device is not healthy.
 *
 * @param code stable and machine-readable, e.g. {@code xid_79}, {@code thermal_slowdown}; the {@code reason} label
 * @param state what this reason alone makes the device
 * @param detail what was seen, for a person, e.g. "GPU has fallen off the bus (XID 79, 1 since the exporter started)"
 * @param action what to do about it, e.g. "reboot the node"
 */
public record HealthReason(String code, HealthState state, String detail, String action) {
  public HealthReason {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(action, "action");
  }
}
