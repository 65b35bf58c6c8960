package io.acceltel.exporter.simulated;

import io.acceltel.exporter.device.DeviceLostException;
import io.acceltel.exporter.device.DeviceReader;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.snapshot.Reading;
import java.util.ArrayList;
import java.util.List;

/** Drives a reader through ticks the way the collection loop does, keeping what each tick reported. */
final class SimulatedTicks {
  /** A second-aligned wall-clock instant, as the loop's ticks are. */
  static final long T0 = 1_795_349_049_000L;

  private SimulatedTicks() {}

  /** One tick's readings, foreground and background together. */
  record Tick(long millis, List<Reading> readings) {
    double value(MetricDefinition metric, String... labels) {
      List<String> wanted = List.of(labels);
      return readings.stream()
          .filter(r -> r.metric().equals(metric) && r.labelValues().equals(wanted))
          .mapToDouble(Reading::value)
          .reduce((a, b) -> {
            throw new AssertionError("two readings of " + metric.name() + wanted);
          })
          .orElseThrow(() -> new AssertionError("no reading of " + metric.name() + wanted));
    }

    boolean has(MetricDefinition metric) {
      return readings.stream().anyMatch(r -> r.metric().equals(metric));
    }
  }

  static Tick tick(DeviceReader reader, long millis) throws DeviceLostException {
    List<Reading> readings = new ArrayList<>();
    reader.read(millis, readings::add);
    reader.readBackground(readings::add);
    return new Tick(millis, List.copyOf(readings));
  }

  /** {@code count} ticks one second apart from {@link #T0}. */
  static List<Tick> run(DeviceReader reader, int count) throws DeviceLostException {
    List<Tick> ticks = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ticks.add(tick(reader, T0 + 1000L * i));
    }
    return ticks;
  }

  static double[] series(List<Tick> ticks, MetricDefinition metric, String... labels) {
    return ticks.stream().mapToDouble(t -> t.value(metric, labels)).toArray();
  }
}
