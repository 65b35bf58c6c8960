package io.acceltel.exporter.exposition;

import io.acceltel.model.catalog.DeviceLabels;
import io.acceltel.model.snapshot.Attribution;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.List;

/**
 * The labels every series of one device carries in the native view: node, device, uuid, model, vendor, then the
 * attribution labels. Built once per device per tick; each series then adds its own labels.
 */
final class DeviceLabelSet {
  private final Labels base;

  private DeviceLabelSet(Labels base) {
    this.base = base;
  }

  static DeviceLabelSet of(String node, DeviceSnapshot device) {
    DeviceIdentity id = device.identity();
    Attribution attribution = device.attribution();
    int fixed = DeviceLabels.NAMES.size();
    String[] names = new String[fixed + attribution.labelNames().size()];
    String[] values = new String[names.length];
    String[] identity = {node, Integer.toString(id.index()), id.uuid(), id.model(), id.vendor().label()};
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
   * These labels plus a series' own. The device's labels are sorted once per device and tick; most series add
   * nothing and share them, the rest merge one or two labels into the sorted set.
   */
  Labels with(List<String> extraNames, List<String> extraValues) {
    if (extraNames.isEmpty()) {
      return base;
    }
    return base.merge(extraNames.toArray(String[]::new), extraValues.toArray(String[]::new));
  }
}
