package io.acceltel.exporter.nvml;


import io.acceltel.exporter.device.BackendContext;
import io.acceltel.exporter.device.BackendUnavailableException;
import io.acceltel.exporter.device.NativeCallObserver;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.Reading;
import io.acceltel.model.snapshot.ReadingSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/** Shared helpers of the NVML backend tests: opening the backend on the double, collecting readings, waiting. */
final class NvmlTestSupport {
  private NvmlTestSupport() {}

  /** A fake monotonic clock for GPM sample spacing; starts well away from zero. */
  static final class FakeClock {
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    void advanceMillis(long millis) {
      nanos.addAndGet(millis * 1_000_000L);
    }
  }

  static BackendContext context(RecordingObserver observer) {
    return new BackendContext(Optional.of(NvmlDouble.PATH), BackendContext.SimulatedSettings.DEFAULT, observer);
  }

  static NvmlBackend open(RecordingObserver observer, FakeClock clock) throws BackendUnavailableException {
    return NvmlBackend.open(context(observer), clock.nanos::get);
  }

  /** Polls a condition every 10 ms for up to 5 s; for state that another thread (the XID thread) changes. */
  /** One read of a device at {@code millis}, as the collection loop would do it. */
  static Readings tick(io.acceltel.exporter.device.DeviceReader reader, long millis) throws Exception {
    Readings readings = new Readings();
    reader.read(millis, readings);
    return readings;
  }

  static void awaitTrue(String what, BooleanSupplier condition) {
    io.acceltel.model.testing.Await.until(what, Duration.ofSeconds(5), condition);
  }

  /** A sink that keeps what a read produced, with lookups by metric and label values. */
  static final class Readings implements ReadingSink {
    final List<Reading> all = new ArrayList<>();

    @Override
    public void add(Reading reading) {
      all.add(reading);
    }

    Optional<Double> find(MetricDefinition metric, String... labels) {
      List<String> wanted = Arrays.asList(labels);
      return all.stream()
          .filter(r -> r.metric() == metric && r.labelValues().equals(wanted))
          .map(Reading::value)
          .findFirst();
    }

    double value(MetricDefinition metric, String... labels) {
      return find(metric, labels).orElseThrow(() -> new AssertionError(
          "no reading of " + metric.name() + " " + Arrays.toString(labels) + " in " + all));
    }

    boolean has(MetricDefinition metric) {
      return all.stream().anyMatch(r -> r.metric() == metric);
    }

    List<Reading> of(MetricDefinition metric) {
      return all.stream().filter(r -> r.metric() == metric).toList();
    }
  }

  /** Records what the backend told its observer. */
  static final class RecordingObserver implements NativeCallObserver {
    record Failure(String backend, String function, int code, String codeName) {}

    final List<String> unsupported = new CopyOnWriteArrayList<>();
    final List<Failure> failures = new CopyOnWriteArrayList<>();
    final List<String> unusable = new CopyOnWriteArrayList<>();

    @Override
    public void unsupported(DeviceIdentity device, String function) {
      unsupported.add(function);
    }

    @Override
    public void failed(String backend, String function, int code, String codeName) {
      failures.add(new Failure(backend, function, code, codeName));
    }

    @Override
    public void backendUnusable(String backend, String why) {
      unusable.add(why);
    }
  }
}
