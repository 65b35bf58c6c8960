package io.acceltel.model.snapshot;

import io.acceltel.model.catalog.MetricCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything read from one device in one tick. Immutable: exposition and the Kafka sink read it while the next tick
 * is being collected.
 *
 * @param lost true when the device did not answer this tick; then {@code readings} holds only what is still known
 * @param unread true when its read was late this tick, for the first few such ticks: nothing was read, and it is
 *     not reported lost, since one slow read must not page (see {@link #unread(DeviceIdentity)})
 * @param attribution who holds the device, appended to every series' labels; {@link Attribution#NONE} if nobody
 * @param instanceAttributions who holds each MIG instance, by MIG UUID: the series about one instance (those with a
 *     {@link MetricCatalog#MIG_UUID} label) carry its holder instead of {@code attribution}; empty without MIG
 */
public record DeviceSnapshot(DeviceIdentity identity, boolean lost, boolean unread, List<Reading> readings,
    Attribution attribution, Map<String, Attribution> instanceAttributions) {
  public DeviceSnapshot {
    readings = List.copyOf(readings);
    java.util.Objects.requireNonNull(attribution, "attribution");
    instanceAttributions = Map.copyOf(instanceAttributions);
  }

  public DeviceSnapshot(DeviceIdentity identity, boolean lost, boolean unread, List<Reading> readings,
      Attribution attribution) {
    this(identity, lost, unread, readings, attribution, Map.of());
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
    return new DeviceSnapshot(identity, lost, unread, readings, attribution, instanceAttributions);
  }

  /** The same device and state (lost, unread) with other readings and attribution; MIG instances keep theirs. */
  public DeviceSnapshot withReadings(List<Reading> readings, Attribution attribution) {
    return new DeviceSnapshot(identity, lost, unread, readings, attribution, instanceAttributions);
  }

  /** The same device and state with other readings, attributed per device and per MIG instance. */
  public DeviceSnapshot withReadings(List<Reading> readings, Attribution attribution,
      Map<String, Attribution> instanceAttributions) {
    return new DeviceSnapshot(identity, lost, unread, readings, attribution, instanceAttributions);
  }

  /**
   * Who holds what a reading is about: for a MIG instance's series, that instance's holder ({@link Attribution#NONE}
   * when it is free); for every other series, the device's.
   */
  public Attribution attributionOf(Reading reading) {
    if (instanceAttributions.isEmpty()) {
      return attribution;
    }
    int i = reading.metric().labelNames().indexOf(MetricCatalog.MIG_UUID);
    Attribution instance = i < 0 ? null : instanceAttributions.get(reading.labelValues().get(i));
    return instance == null ? attribution : instance;
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
