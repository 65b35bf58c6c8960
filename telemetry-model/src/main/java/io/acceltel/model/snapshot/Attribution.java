package io.acceltel.model.snapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Who holds a device: labels such as {@code namespace}, {@code pod}, {@code container}, {@code tenant_id},
 * {@code job_name}, appended to every series of that device after the device labels. Names are already sanitized
 * and bounded by whoever built it (the attribution module).
 */
public record Attribution(List<String> labelNames, List<String> labelValues) {
  public static final Attribution NONE = new Attribution(List.of(), List.of());

  public Attribution {
    labelNames = List.copyOf(labelNames);
    labelValues = List.copyOf(labelValues);
    if (labelNames.size() != labelValues.size()) {
      throw new IllegalArgumentException("attribution has " + labelNames.size() + " names but "
          + labelValues.size() + " values");
    }
  }

  /** From an ordered map of label name to value. */
  public static Attribution of(Map<String, String> labels) {
    if (labels.isEmpty()) {
      return NONE;
    }
    List<String> names = new ArrayList<>(labels.size());
    List<String> values = new ArrayList<>(labels.size());
    labels.forEach((k, v) -> {
      names.add(k);
      values.add(v);
    });
    return new Attribution(names, values);
  }

  /** The value of one label, or null. */
  public String get(String name) {
    int i = labelNames.indexOf(name);
    return i < 0 ? null : labelValues.get(i);
  }

  public boolean isEmpty() {
    return labelNames.isEmpty();
  }
}
