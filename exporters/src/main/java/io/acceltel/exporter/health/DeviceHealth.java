package io.acceltel.exporter.health;

import io.acceltel.model.snapshot.DeviceIdentity;
import java.util.List;

/**
 * The health of one device at one tick: the worst state of its reasons, {@link HealthState#HEALTHY} when there are
 * none.
 */
public record DeviceHealth(DeviceIdentity identity, HealthState state, List<HealthReason> reasons) {
  public DeviceHealth {
    reasons = List.copyOf(reasons);
  }

  static DeviceHealth of(DeviceIdentity identity, List<HealthReason> reasons) {
    HealthState worst = HealthState.HEALTHY;
    for (HealthReason r : reasons) {
      worst = worst.worse(r.state());
    }
    return new DeviceHealth(identity, worst, reasons);
  }
}
