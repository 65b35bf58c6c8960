package io.acceltel.exporter.collect;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Library;
import com.sun.jna.Native;
import io.acceltel.exporter.device.BackendContext;
import io.acceltel.exporter.device.DeviceBackend;
import io.acceltel.exporter.device.NativeCallObserver;
import io.acceltel.exporter.nvml.NvmlBackendProvider;
import io.acceltel.model.testing.Await;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.acceltel.model.snapshot.Reading;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A GPU whose NVML calls hang must cost the node one device for the tick, never the tick itself: the NVML backend
 * on the C double with 4 GPUs, GPU 2's {@code nvmlDeviceGetUtilizationRates} made to sleep 3 s inside the driver
 * (the double sleeps without holding its lock, as a real driver hanging on one GPU does not stop the others).
 *
 * <p>The wall-time assertions are correctness bounds (the tick's deadline is 80% of the 1 s interval), not
 * performance measurements.
 */
class SlowDeviceTest {
  /** The double's control functions this test needs; the library is the one the backend loads. */
  interface DoubleControl extends Library {
    void nvmlDouble_reset(int deviceCount);

    void nvmlDouble_setDelay(String function, int device, int micros);
  }

  private static final Path DOUBLE =
      Path.of(System.getProperty("acceltel.test.native", "target/native"), "libnvml_double.so");
  private static final DoubleControl CONTROL = Native.load(DOUBLE.toString(), DoubleControl.class);
  private static final String HANGING_CALL = "nvmlDeviceGetUtilizationRates";
  private static final int SLOW = 2;
  private static final Duration INTERVAL = Duration.ofSeconds(1);

  /** Records what the loop reports about itself. */
  private static final class RecordingMetrics implements LoopMetrics {
    final List<Integer> overruns = new CopyOnWriteArrayList<>();
    final List<Long> ticks = new CopyOnWriteArrayList<>();

    @Override
    public void tickCompleted(long tickMillis, double durationSeconds) {
      ticks.add(tickMillis);
    }

    @Override
    public void readOverrun(int deviceIndex) {
      overruns.add(deviceIndex);
    }
  }

  private final RecordingMetrics metrics = new RecordingMetrics();
  private DeviceBackend backend;
  private CollectionLoop loop;
  private long tickMillis = 1_795_349_049_000L;

  @BeforeEach
  void open() throws Exception {
    CONTROL.nvmlDouble_reset(4);
    backend = new NvmlBackendProvider().open(new BackendContext(Optional.of(DOUBLE),
        BackendContext.SimulatedSettings.DEFAULT, NativeCallObserver.NOOP));
    loop = CollectionLoop.builder("node-slow", backend.devices()).interval(INTERVAL).metrics(metrics).build();
  }

  @AfterEach
  void close() {
    CONTROL.nvmlDouble_setDelay(HANGING_CALL, SLOW, 0); // wakes a read still sleeping in the double
    if (loop != null) {
      loop.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void aHangingDeviceIsReportedLostWithinTheDeadlineAndReportsAgainOnceItAnswers() {
    NodeSnapshot baseline = loop.tick(nextTick());
    assertThat(baseline.devices()).hasSize(4).noneMatch(DeviceSnapshot::lost);
    List<Set<MetricDefinition>> full = baseline.devices().stream().map(SlowDeviceTest::metricsOf).toList();
    assertThat(full.get(SLOW)).contains(MetricCatalog.UTILIZATION, MetricCatalog.POWER, MetricCatalog.MEMORY_USED);

    CONTROL.nvmlDouble_setDelay(HANGING_CALL, SLOW, 3_000_000);

    long started = System.nanoTime();
    NodeSnapshot slow = loop.tick(nextTick());
    long slowMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertThat(slowMillis).as("tick wall time with GPU 2 hanging for 3 s").isLessThan(INTERVAL.toMillis());
    assertOthersComplete(slow, full);
    assertThat(slow.devices().get(SLOW).unread()).as("one late read is not a lost device").isTrue();
    assertThat(slow.devices().get(SLOW).lost()).isFalse();
    assertThat(metrics.overruns).containsExactly(SLOW);

    // GPU 2's read is still sleeping in the driver: the next tick does not start another one, nor wait for it.
    started = System.nanoTime();
    NodeSnapshot next = loop.tick(nextTick());
    long nextMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertThat(nextMillis).as("tick wall time while GPU 2's read is in flight")
        .isLessThan(INTERVAL.toMillis() * 4 / 5);
    assertOthersComplete(next, full);
    assertThat(next.devices().get(SLOW).unread()).isTrue();
    assertThat(metrics.overruns).containsExactly(SLOW, SLOW);
    // A third tick in a row without an answer: now the device is reported lost.
    assertLost(loop.tick(nextTick()).devices().get(SLOW));
    assertThat(metrics.overruns).containsExactly(SLOW, SLOW, SLOW);
    assertThat(metrics.ticks).hasSize(4);

    // The driver answers again: the in-flight read completes, and a later tick reads GPU 2 in full.
    CONTROL.nvmlDouble_setDelay(HANGING_CALL, SLOW, 0);
    NodeSnapshot[] recovered = new NodeSnapshot[1];
    Await.until("GPU 2 to report again", Duration.ofSeconds(10), () -> {
      recovered[0] = loop.tick(nextTick());
      return !recovered[0].devices().get(SLOW).lost();
    });
    DeviceSnapshot gpu2 = recovered[0].devices().get(SLOW);
    assertThat(value(gpu2, MetricCatalog.DEVICE_LOST)).isZero();
    assertThat(value(gpu2, MetricCatalog.DEVICE_RECOVERIES)).as("late reads are no reset").isZero();
    assertThat(metricsOf(gpu2)).containsAll(full.get(SLOW));
    assertOthersComplete(recovered[0], full);
    assertThat(metrics.overruns).as("only GPU 2 ever overran").containsOnly(SLOW);
  }

  private long nextTick() {
    tickMillis += INTERVAL.toMillis();
    return tickMillis;
  }

  /** GPUs 0, 1 and 3 answered with at least every metric they had in the baseline tick. */
  private static void assertOthersComplete(NodeSnapshot snapshot, List<Set<MetricDefinition>> full) {
    assertThat(snapshot.devices()).hasSize(4);
    for (int i : new int[] {0, 1, 3}) {
      DeviceSnapshot device = snapshot.devices().get(i);
      assertThat(device.lost()).as("GPU %d lost", i).isFalse();
      assertThat(value(device, MetricCatalog.DEVICE_LOST)).isZero();
      assertThat(metricsOf(device)).as("GPU %d metrics", i).containsAll(full.get(i));
    }
  }

  private static void assertLost(DeviceSnapshot device) {
    assertThat(device.lost()).isTrue();
    assertThat(value(device, MetricCatalog.DEVICE_LOST)).isEqualTo(1);
    // Nothing read from the hung GPU: only what the exporter knows without asking it.
    assertThat(device.readings()).extracting(Reading::metric)
        .containsOnly(MetricCatalog.DEVICE_LOST, MetricCatalog.DEVICE_RECOVERIES, MetricCatalog.LAST_XID);
  }

  private static Set<MetricDefinition> metricsOf(DeviceSnapshot device) {
    return device.readings().stream().map(Reading::metric).collect(Collectors.toSet());
  }

  private static double value(DeviceSnapshot device, MetricDefinition metric) {
    return device.readings().stream().filter(r -> r.metric() == metric).mapToDouble(Reading::value).findFirst()
        .orElseThrow(() -> new AssertionError(metric.name() + " missing on GPU " + device.identity().index()));
  }
}
