package io.acceltel.exporter.nvml;

import static io.acceltel.exporter.nvml.NvmlTestSupport.awaitTrue;
import static io.acceltel.exporter.nvml.NvmlTestSupport.open;
import static io.acceltel.exporter.nvml.NvmlTestSupport.tick;
import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.nvml.NvmlTestSupport.FakeClock;
import io.acceltel.exporter.nvml.NvmlTestSupport.Readings;
import io.acceltel.model.catalog.MetricCatalog;
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
    assertThat(tick(gpu(0), 1000).value(MetricCatalog.LAST_XID)).isZero();
    assertThat(observer.failures).isEmpty();
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
