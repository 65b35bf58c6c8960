package io.acceltel.exporter.nvml;

import static io.acceltel.exporter.nvml.NvmlTestSupport.tick;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Native;
import io.acceltel.exporter.device.BackendContext;
import io.acceltel.exporter.device.BackendUnavailableException;
import io.acceltel.exporter.nvml.NvmlTestSupport.FakeClock;
import io.acceltel.exporter.nvml.NvmlTestSupport.Readings;
import io.acceltel.exporter.nvml.NvmlTestSupport.RecordingObserver;
import io.acceltel.model.catalog.MetricCatalog;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A driver that lacks a function the backend calls, played by the NVML double built as a driver from before R535
 * ({@code libnvml_double_r525.so}: no nvmlDeviceGetCurrentClocksEventReasons, only its old name). Its own copy of
 * the double's model, so it is set up through its own control functions.
 */
class NvmlOlderDriverTest {
  private static final Path R525 = NvmlDouble.PATH.resolveSibling("libnvml_double_r525.so");
  private static final NvmlDouble R525_DOUBLE = Native.load(R525.toString(), NvmlDouble.class);

  @Test
  void aMissingFunctionLeavesOnlyItsOwnMetricsOutAndAnOlderNameStandsIn() throws Exception {
    R525_DOUBLE.nvmlDouble_reset(2);
    R525_DOUBLE.nvmlDouble_setUint("clock.reasons", 0, 0x4);
    R525_DOUBLE.nvmlDouble_setUint("pcie.gen", 0, 4);
    RecordingObserver observer = new RecordingObserver();
    try (NvmlBackend backend = NvmlBackend.open(
        new BackendContext(Optional.of(R525), BackendContext.SimulatedSettings.DEFAULT, observer),
        new FakeClock().nanos::get)) {
      NvmlDeviceReader gpu = (NvmlDeviceReader) backend.devices().get(0);
      for (long millis = 1000; millis <= 3000; millis += 1000) {
        Readings r = tick(gpu, millis);
        assertThat(r.value(MetricCatalog.CLOCK_EVENT, "sw_power_cap")).as("tick at %d", millis).isEqualTo(1.0);
        assertThat(r.value(MetricCatalog.CLOCK_EVENT, "gpu_idle")).isEqualTo(0.0);
        assertThat(r.value(MetricCatalog.PCIE_LINK_GEN)).as("read after the clocks").isEqualTo(4.0);
        assertThat(r.has(MetricCatalog.ECC_ERRORS)).isTrue();
      }
      assertThat(observer.unsupported).containsOnlyOnce("nvmlDeviceGetCurrentClocksEventReasons");
      assertThat(observer.failures).isEmpty();
      assertThat(R525_DOUBLE.nvmlDouble_calls("nvmlDeviceGetCurrentClocksThrottleReasons")).isEqualTo(3);
    }
  }

  @Test
  void aDriverBeforeR535GetsTheProxyForEveryCall() throws Exception {
    assertThat(NvmlLoader.load(Optional.of(R525))).isNotInstanceOf(NvmlDirect.class);
  }

  @Test
  void aLibraryWithoutNvmlInitIsNamedAsNotNvml() {
    Path notNvml = NvmlDouble.PATH.resolveSibling("libdcmi_double.so");
    assertThatThrownBy(() -> NvmlBackend.open(
        new BackendContext(Optional.of(notNvml), BackendContext.SimulatedSettings.DEFAULT, new RecordingObserver()),
        new FakeClock().nanos::get))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessage(notNvml + " is not an NVML library (it has no nvmlInit_v2): point --nvml-library at "
            + "libnvidia-ml.so.1 of the installed NVIDIA driver.");
  }
}
