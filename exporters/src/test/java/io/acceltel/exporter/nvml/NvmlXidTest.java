package io.acceltel.exporter.nvml;

import static io.acceltel.exporter.nvml.NvmlTestSupport.awaitTrue;
import static io.acceltel.exporter.nvml.NvmlTestSupport.open;
import static io.acceltel.exporter.nvml.NvmlTestSupport.tick;
import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.collect.CollectionLoop;
import io.acceltel.exporter.nvml.NvmlTestSupport.FakeClock;
import io.acceltel.exporter.nvml.NvmlTestSupport.Readings;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.Reading;
import org.junit.jupiter.api.Test;

/** XID events arrive on the XID thread through the NVML event set and show up in the right device's readings. */
class NvmlXidTest extends NvmlDoubleTest {
  @Test
  void noXidYetIsLastXidZeroAndNoCounters() throws Exception {
    backend = open(observer, new FakeClock());
    Readings r = tick(gpu(0), 1000);
    assertThat(r.value(MetricCatalog.LAST_XID)).isZero();
    assertThat(r.has(MetricCatalog.XID_ERRORS)).isFalse();
  }

  @Test
  void xidEventsAreCountedPerCodeOnTheirDevice() throws Exception {
    backend = open(observer, new FakeClock());
    DOUBLE.nvmlDouble_injectXid(1, 79);
    DOUBLE.nvmlDouble_injectXid(1, 79);
    DOUBLE.nvmlDouble_injectXid(1, 48);
    DOUBLE.nvmlDouble_injectXid(0, 13);
    awaitTrue("four XIDs dispatched", () -> gpu(1).xids().count(79) == 2 && gpu(1).xids().count(48) == 1
        && gpu(0).xids().count(13) == 1);

    Readings second = tick(gpu(1), 1000);
    assertThat(second.value(MetricCatalog.XID_ERRORS, "79")).isEqualTo(2.0);
    assertThat(second.value(MetricCatalog.XID_ERRORS, "48")).isEqualTo(1.0);
    assertThat(second.value(MetricCatalog.LAST_XID)).isEqualTo(48.0);
    assertThat(second.find(MetricCatalog.XID_ERRORS, "13")).isEmpty();

    Readings first = tick(gpu(0), 1000);
    assertThat(first.value(MetricCatalog.XID_ERRORS, "13")).isEqualTo(1.0);
    assertThat(first.value(MetricCatalog.LAST_XID)).isEqualTo(13.0);
  }

  @Test
  void aDeviceThatCannotRegisterEventsDoesNotStopTheOthers() throws Exception {
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceRegisterEvents", 0, NvmlReturn.NOT_SUPPORTED);
    backend = open(observer, new FakeClock());
    DOUBLE.nvmlDouble_injectXid(0, 31); // never delivered: GPU 0 is not in the set
    DOUBLE.nvmlDouble_injectXid(1, 79);
    awaitTrue("XID 79 on GPU 1", () -> gpu(1).xids().count(79) == 1);
    assertThat(tick(gpu(1), 1000).value(MetricCatalog.XID_ERRORS, "79")).isEqualTo(1.0);
    Readings unwatched = tick(gpu(0), 1000);
    assertThat(unwatched.has(MetricCatalog.LAST_XID)).as("no XID could be seen: not \"none seen\"").isFalse();
    assertThat(unwatched.has(MetricCatalog.XID_ERRORS)).isFalse();
    assertThat(observer.failures).isEmpty();
  }

  /**
   * After XID 79 the driver fails every wait on the set with GPU_IS_LOST, for all its devices: the set is built
   * again without the lost GPU, so the others' XIDs still arrive, and the GPU joins again when it is back.
   */
  @Test
  void aLostGpuDoesNotStopTheOtherGpusXids() throws Exception {
    backend = open(observer, new FakeClock());
    gpu(0);
    DOUBLE.nvmlDouble_injectXid(1, 79);
    awaitTrue("XID 79 on GPU 1", () -> gpu(1).xids().count(79) == 1);
    DOUBLE.nvmlDouble_setLost(1, 1);
    DOUBLE.nvmlDouble_injectXid(0, 48);
    awaitTrue("XID 48 on GPU 0 after GPU 1 was lost", () -> gpu(0).xids().count(48) == 1);
    assertThat(tick(gpu(0), 1000).value(MetricCatalog.XID_ERRORS, "48")).isEqualTo(1.0);

    DOUBLE.nvmlDouble_setLost(1, 0);
    assertThat(gpu(1).recover()).isTrue();
    DOUBLE.nvmlDouble_injectXid(1, 94);
    awaitTrue("XID 94 on GPU 1 after it came back", () -> gpu(1).xids().count(94) == 1);
    assertThat(tick(gpu(1), 2000).value(MetricCatalog.LAST_XID)).isEqualTo(94.0);
    assertThat(observer.failures).isEmpty();
  }

  /**
   * XID 79 comes as the GPU falls off the bus: the tick that reports it lost must still carry the XID, or the alert on
   * {@code accelerator_xid_errors_total} never sees the one XID that explains the loss.
   */
  @Test
  void aLostGpuStillReportsTheXidsSeenBeforeItsLoss() throws Exception {
    backend = open(observer, new FakeClock());
    DOUBLE.nvmlDouble_injectXid(1, 79);
    awaitTrue("XID 79 on GPU 1", () -> gpu(1).xids().count(79) == 1);
    DOUBLE.nvmlDouble_setLost(1, 1);
    awaitTrue("the event set rebuilt without GPU 1", () -> DOUBLE.nvmlDouble_calls("nvmlEventSetCreate") >= 2);
    try (CollectionLoop loop = CollectionLoop.builder("node-a", backend.devices()).build()) {
      DeviceSnapshot lost = loop.tick(1_000_000L).devices().get(1);
      assertThat(lost.lost()).isTrue();
      Readings r = new Readings();
      lost.readings().forEach(r::add);
      assertThat(r.value(MetricCatalog.XID_ERRORS, "79")).isEqualTo(1.0);
      assertThat(r.value(MetricCatalog.LAST_XID)).isEqualTo(79.0);
      assertThat(r.value(MetricCatalog.DEVICE_RECOVERIES)).isZero();
      assertThat(r.has(MetricCatalog.TEMPERATURE)).as("nothing read from the lost GPU").isFalse();
    }
  }

  /** A GPU whose XIDs were never watched reports none while lost either: "none seen" would be a claim. */
  @Test
  void aLostGpuThatWasNeverWatchedReportsNoXids() throws Exception {
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceRegisterEvents", 0, NvmlReturn.NOT_SUPPORTED);
    backend = open(observer, new FakeClock());
    DOUBLE.nvmlDouble_setLost(0, 1);
    try (CollectionLoop loop = CollectionLoop.builder("node-a", backend.devices()).build()) {
      DeviceSnapshot lost = loop.tick(1_000_000L).devices().get(0);
      assertThat(lost.lost()).isTrue();
      assertThat(lost.readings()).extracting(Reading::metric)
          .containsExactlyInAnyOrder(MetricCatalog.DEVICE_LOST, MetricCatalog.DEVICE_RECOVERIES);
    }
  }

  @Test
  void theXidThreadWaitsInNvmlAndStopsOnClose() throws Exception {
    backend = open(observer, new FakeClock());
    awaitTrue("the thread waits in nvmlEventSetWait_v2", () -> DOUBLE.nvmlDouble_calls("nvmlEventSetWait_v2") >= 1);
    backend.close();
    long waits = DOUBLE.nvmlDouble_calls("nvmlEventSetWait_v2");
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("acceltel-nvml-xid"));
    assertThat(DOUBLE.nvmlDouble_calls("nvmlEventSetWait_v2")).isEqualTo(waits);
    assertThat(DOUBLE.nvmlDouble_calls("nvmlEventSetFree")).isEqualTo(1);
    backend = null;
  }
}
