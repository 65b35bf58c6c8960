package io.acceltel.exporter.exposition;

import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.Reading;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.DoubleUnaryOperator;

/**
 * Derives one compatibility metric's value for one device from acceltel's readings: the shared building block of
 * the name views that rename and rescale (dcgm-exporter's, npu-exporter's).
 *
 * <pre>{@code
 * ReadingExtractor fbUsedMiB = ReadingExtractor.scaled(MetricCatalog.MEMORY_USED, 1.0 / (1 << 20));
 * OptionalDouble v = fbUsedMiB.extract(device); // empty when the device has no such reading
 * }</pre>
 */
@FunctionalInterface
interface ReadingExtractor {
  OptionalDouble extract(DeviceSnapshot device);

  /** The reading of an unlabelled metric, times a scale. */
  static ReadingExtractor scaled(MetricDefinition metric, double scale) {
    return labelled(metric, Map.of(), scale);
  }

  /** The first reading whose labels match all of {@code match}, times a scale. */
  static ReadingExtractor labelled(MetricDefinition metric, Map<String, String> match, double scale) {
    return device -> {
      for (Reading r : device.readings()) {
        if (r.metric() == metric && matches(r, match)) {
          return OptionalDouble.of(rescale(r.value(), scale));
        }
      }
      return OptionalDouble.empty();
    };
  }

  /** The sum of all readings whose labels match {@code match} (e.g. one NVLink error kind over all links). */
  static ReadingExtractor summed(MetricDefinition metric, Map<String, String> match) {
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
  static ReadingExtractor bitmask(MetricDefinition metric, String label, Map<String, Long> bits) {
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

  /** This extractor's value passed through {@code f}; empty stays empty. */
  default ReadingExtractor map(DoubleUnaryOperator f) {
    return device -> {
      OptionalDouble v = extract(device);
      return v.isPresent() ? OptionalDouble.of(f.applyAsDouble(v.getAsDouble())) : v;
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

  /**
   * {@code value * scale}, snapped to the integer it is within rounding of: the drivers' integers (percent, mJ)
   * were divided into the catalog's units, and the peer exporters print them as integers, not 7.000000000000001.
   */
  static double rescale(double value, double scale) {
    double v = value * scale;
    if (scale == 1 || Double.isNaN(v) || Double.isInfinite(v)) {
      return v;
    }
    double nearest = Math.rint(v);
    return Math.abs(v - nearest) <= 1e-9 * Math.max(1, Math.abs(v)) ? nearest : v;
  }
}
