package io.acceltel.exporter.nvml;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.collect.CollectionLoop;
import io.acceltel.exporter.collect.LeftOutRetry;
import io.acceltel.exporter.health.HealthMonitor;
import io.acceltel.exporter.health.HealthState;
import io.acceltel.exporter.health.NodeHealth;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.acceltel.model.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A GPU that could not be opened while the exporter started (the double refuses its handle) joins the running loop
 * once it answers: it gets its series in index order, and the node's health stops failing for it.
 */
class NvmlLeftOutRetryTest extends NvmlDoubleTest {
  @Test
  void aGpuLeftOutAtStartJoinsTheLoopOnceItOpens() throws Exception {
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetHandleByIndex_v2", 0, NvmlReturn.GPU_IS_LOST);
    backend = NvmlTestSupport.open(observer, clock);
    HealthMonitor health = new HealthMonitor(Duration.ofMinutes(5), Duration.ofSeconds(1), backend.devicesLeftOut());
    List<Integer> leftOutChanges = new CopyOnWriteArrayList<>();
    try (CollectionLoop loop = CollectionLoop.builder("node-r", backend.devices())
        .unfilteredListener(health).build()) {
      NodeSnapshot before = loop.tick(1_000);
      assertThat(before.devices()).extracting(d -> d.identity().index()).containsExactly(1);
      assertThat(health.latest().map(NodeHealth::status)).hasValue(HealthState.FAILED);

      try (LeftOutRetry retry = LeftOutRetry.start(backend, loop, Duration.ofMillis(20), leftOut -> {
        leftOutChanges.add(leftOut);
        health.devicesLeftOut(leftOut);
      })) {
        Await.until("a few retries while GPU 0 is still refused", Duration.ofSeconds(10),
            () -> DOUBLE.nvmlDouble_calls("nvmlDeviceGetHandleByIndex_v2") >= 4);
        assertThat(loop.tick(2_000).devices()).hasSize(1);

        DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetHandleByIndex_v2", 0, NvmlReturn.SUCCESS);
        Await.until("GPU 0 opened", Duration.ofSeconds(10), () -> leftOutChanges.contains(0));
        assertThat(leftOutChanges).containsExactly(0);
      }

      NodeSnapshot after = loop.tick(3_000);
      assertThat(after.devices()).extracting(d -> d.identity().index()).containsExactly(0, 1);
      DeviceSnapshot late = after.devices().get(0);
      assertThat(late.lost()).isFalse();
      assertThat(late.readings()).anyMatch(r -> r.metric() == MetricCatalog.POWER);
      assertThat(health.latest().orElseThrow().reasons()).isEmpty();
      assertThat(health.latest().orElseThrow().devices()).hasSize(2);
    }
  }

  @Test
  void withNothingLeftOutNoRetryRuns() throws Exception {
    backend = NvmlTestSupport.open(observer, clock);
    try (CollectionLoop loop = CollectionLoop.builder("node-r", backend.devices()).build();
        LeftOutRetry retry = LeftOutRetry.start(backend, loop, Duration.ofMillis(1), leftOut -> {
          throw new AssertionError("nothing was left out");
        })) {
      long opens = DOUBLE.nvmlDouble_calls("nvmlDeviceGetHandleByIndex_v2");
      loop.tick(1_000);
      loop.tick(2_000);
      assertThat(DOUBLE.nvmlDouble_calls("nvmlDeviceGetHandleByIndex_v2")).isEqualTo(opens);
      assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("acceltel-left-out-retry"));
    }
  }
}
