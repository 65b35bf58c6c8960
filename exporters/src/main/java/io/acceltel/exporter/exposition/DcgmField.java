package io.acceltel.exporter.exposition;

import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.catalog.MetricType;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.Reading;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * One dcgm-exporter metric and how to derive it from acceltel's readings of one device: a row of
 * {@link DcgmNameView}'s table.
 *
 * @param name the DCGM field name, which dcgm-exporter uses as the metric name
 * @param source the catalog metric it is derived from (for the coverage docs)
 * @param unitNote how the value differs from the catalog's unit, e.g. "MiB", "%", "mJ"
 */
record DcgmField(String name, MetricType type, String help, MetricDefinition source, String unitNote,
    Extractor extractor) {

  /** Derives the field's value for one device; empty when the device has no such reading. */
  @FunctionalInterface
  interface Extractor {
    OptionalDouble extract(DeviceSnapshot device);
  }

  /** The reading of an unlabelled metric, times a scale. */
  static Extractor scaled(MetricDefinition metric, double scale) {
    return device -> {
      for (Reading r : device.readings()) {
        if (r.metric() == metric) {
          return OptionalDouble.of(r.value() * scale);
        }
      }
      return OptionalDouble.empty();
    };
  }

  /** The reading whose labels match all of {@code match}, times a scale. */
  static Extractor labelled(MetricDefinition metric, Map<String, String> match, double scale) {
    return device -> {
      for (Reading r : device.readings()) {
        if (r.metric() == metric && matches(r, match)) {
          return OptionalDouble.of(r.value() * scale);
        }
      }
      return OptionalDouble.empty();
    };
  }

  /** The sum of all readings whose labels match {@code match} (e.g. one NVLink error kind over all links). */
  static Extractor summed(MetricDefinition metric, Map<String, String> match) {
    return device -> {
      double sum = 0;
      boolean any = false;
      for (Reading r : device.readings()) {
        if (r.metric() == metric && matches(r, match)) {
          sum += r.value();
          any = true;
        }
      }
      return any ? OptionalDouble.of(sum) : OptionalDouble.empty();
    };
  }

  /** Rebuilds a bitmask from 0/1 series labelled by {@code label}, with the bit of each label value. */
  static Extractor bitmask(MetricDefinition metric, String label, Map<String, Long> bits) {
    return device -> {
      int labelIndex = metric.labelNames().indexOf(label);
      long mask = 0;
      boolean any = false;
      for (Reading r : device.readings()) {
        if (r.metric() == metric) {
          any = true;
          Long bit = bits.get(r.labelValues().get(labelIndex));
          if (bit != null && r.value() != 0) {
            mask |= bit;
          }
        }
      }
      return any ? OptionalDouble.of(mask) : OptionalDouble.empty();
    };
  }

  private static boolean matches(Reading r, Map<String, String> match) {
    List<String> names = r.metric().labelNames();
    for (Map.Entry<String, String> e : match.entrySet()) {
      int i = names.indexOf(e.getKey());
      if (i < 0 || !r.labelValues().get(i).equals(e.getValue())) {
        return false;
      }
    }
    return true;
  }
}
