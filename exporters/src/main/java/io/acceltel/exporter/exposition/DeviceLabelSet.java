package io.acceltel.exporter.exposition;

import io.acceltel.model.catalog.DeviceLabels;
import io.acceltel.model.snapshot.Attribution;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The labels every series of one device carries in the native view: node, device, uuid, model, vendor, then the
 * attribution labels; and the label sets of its series, which add their own labels to these.
 *
 * <p>A device's label sets are the same from one tick to the next until its attribution changes, and client_java
 * sorts and validates every label set it builds (validating a name encodes it as UTF-8), which cost more than
 * everything else in rendering a tick. So one instance serves a device for as long as its identity and attribution
 * hold, and keeps the series' label sets that the last tick used.
 */
final class DeviceLabelSet {
  private final Labels base;
  private Map<Own, Labels> thisTick = new HashMap<>();
  private Map<Own, Labels> lastTick = Map.of();

  private DeviceLabelSet(Labels base) {
    this.base = base;
  }

  /**
   * A series' own label names and values. A plain class, not a record: the exporter runs on C1 alone, where a
   * record's generated equals and hashCode cost more than the lookup saves.
   */
  private static final class Own {
    private final List<String> names;
    private final List<String> values;
    private final int hash;

    Own(List<String> names, List<String> values) {
      this.names = names;
      this.values = values;
      this.hash = 31 * names.hashCode() + values.hashCode();
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Own other && hash == other.hash && names.equals(other.names) && values.equals(other.values);
    }
  }

  /** What decides a device's labels; a new one starts a new set. */
  record Key(String node, DeviceIdentity identity, Attribution attribution) {}

  static DeviceLabelSet of(Key key) {
    DeviceIdentity id = key.identity();
    Attribution attribution = key.attribution();
    int fixed = DeviceLabels.NAMES.size();
    String[] names = new String[fixed + attribution.labelNames().size()];
    String[] values = new String[names.length];
    String[] identity = {key.node(), Integer.toString(id.index()), id.uuid(), id.model(), id.vendor().label()};
    for (int i = 0; i < fixed; i++) {
      names[i] = DeviceLabels.NAMES.get(i);
      values[i] = identity[i];
    }
    for (int i = 0; i < attribution.labelNames().size(); i++) {
      names[fixed + i] = attribution.labelNames().get(i);
      values[fixed + i] = attribution.labelValues().get(i);
    }
    return new DeviceLabelSet(Labels.of(names, values));
  }

  /**
   * The device's labels plus the series' own. Should a holder's label share a name with one of the series (a name
   * view's label the configuration check does not know), the series' own wins: a duplicate name would make the
   * whole scrape fail, and with it every other device's series.
   */
  private Labels merge(List<String> extraNames, List<String> extraValues) {
    String[] names = extraNames.toArray(String[]::new);
    String[] values = extraValues.toArray(String[]::new);
    for (String name : names) {
      if (base.contains(name)) {
        Labels kept = Labels.EMPTY;
        for (int i = 0; i < base.size(); i++) {
          if (!extraNames.contains(base.getName(i))) {
            kept = kept.add(base.getName(i), base.getValue(i));
          }
        }
        return kept.merge(names, values);
      }
    }
    return base.merge(names, values);
  }

  /** Starts a tick: label sets the previous tick did not use are dropped at the next start. */
  void startTick() {
    lastTick = thisTick;
    thisTick = new HashMap<>(lastTick.size() * 2);
  }

  /** These labels plus a series' own; most series add nothing and share the device's. */
  Labels with(List<String> extraNames, List<String> extraValues) {
    if (extraNames.isEmpty()) {
      return base;
    }
    Own own = new Own(extraNames, extraValues);
    Labels labels = thisTick.get(own);
    if (labels == null) {
      labels = lastTick.get(own);
      if (labels == null) {
        labels = merge(extraNames, extraValues);
      }
      thisTick.put(own, labels);
    }
    return labels;
  }
}
