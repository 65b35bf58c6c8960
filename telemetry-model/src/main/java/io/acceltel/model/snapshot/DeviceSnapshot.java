package io.acceltel.model.snapshot;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything read from one device in one tick. Immutable: exposition and the Kafka sink read it while the next tick
 * is being collected.
 *
 * @param lost true when the device did not answer this tick; then {@code readings} holds only what is still known
 * @param unread true when its read was late this tick, for the first few such ticks: nothing was read, and it is
 *     not reported lost, since one slow read must not page (see {@link #unread(DeviceIdentity)})
 * @param attribution who holds the device, appended to every series' labels; {@link Attribution#NONE} if nobody
 */
public record DeviceSnapshot(DeviceIdentity identity, boolean lost, boolean unread, List<Reading> readings,
    Attribution attribution) {
  public DeviceSnapshot {
    readings = List.copyOf(readings);
    java.util.Objects.requireNonNull(attribution, "attribution");
  }

  /** A device that was read (or found lost) this tick. */
  public DeviceSnapshot(DeviceIdentity identity, boolean lost, List<Reading> readings, Attribution attribution) {
    this(identity, lost, false, readings, attribution);
  }

  /**
   * A device whose read did not finish in time this tick, for the first few such ticks: nothing was read, and it is
   * not (yet) reported lost, since one slow read must not page.
   */
  public static DeviceSnapshot unread(DeviceIdentity identity) {
    return new DeviceSnapshot(identity, false, true, List.of(), Attribution.NONE);
  }

  /** The same readings, attributed. */
  public DeviceSnapshot withAttribution(Attribution attribution) {
    return new DeviceSnapshot(identity, lost, unread, readings, attribution);
  }

  /** The same device and state (lost, unread) with other readings and attribution. */
  public DeviceSnapshot withReadings(List<Reading> readings, Attribution attribution) {
    return new DeviceSnapshot(identity, lost, unread, readings, attribution);
  }

  public static Builder builder(DeviceIdentity identity) {
    return new Builder(identity);
  }

  /** Collects readings during a device read; not thread-safe, one per device per tick. */
  public static final class Builder implements ReadingSink {
    private final DeviceIdentity identity;
    private final List<Reading> readings = new ArrayList<>();
    private boolean lost;

    private Builder(DeviceIdentity identity) {
      this.identity = identity;
    }

    @Override
    public void add(Reading reading) {
      readings.add(reading);
    }

    public Builder lost(boolean lost) {
      this.lost = lost;
      return this;
    }

    public DeviceSnapshot build() {
      return new DeviceSnapshot(identity, lost, readings, Attribution.NONE);
    }
  }
}
