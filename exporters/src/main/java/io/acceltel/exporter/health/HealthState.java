package io.acceltel.exporter.health;

import java.util.Locale;

/** A device's health, from best to worst; the worst of all reasons wins. */
public enum HealthState {
  /** Nothing found: the device can take work. */
  HEALTHY,
  /** Works, but slower or at risk (thermal slowdown, PCIe down-trained, a pending row remap, an application XID). */
  DEGRADED,
  /** Do not place work here until the action is taken (reset the GPU, reboot the node, replace the device). */
  FAILED;

  /** The lower-case name used in JSON and in the {@code state} label. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public HealthState worse(HealthState other) {
    return other.ordinal() > ordinal() ? other : this;
  }

  /** Parses {@link #label()}; null when the text is not a state. */
  public static HealthState fromLabel(String text) {
    for (HealthState s : values()) {
      if (s.label().equals(text)) {
        return s;
      }
    }
    return null;
  }
}
