package io.acceltel.exporter.nvml;

import static io.acceltel.exporter.nvml.NvmlTestSupport.open;
import static io.acceltel.exporter.nvml.NvmlTestSupport.tick;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.acceltel.exporter.nvml.NvmlTestSupport.FakeClock;
import io.acceltel.exporter.nvml.NvmlTestSupport.Readings;
import io.acceltel.exporter.nvml.NvmlTestSupport.RecordingObserver;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.catalog.MetricDefinition;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** GPM profiling metrics: read from two samples at least 150 ms apart where supported, absent elsewhere. */
class NvmlGpmTest {
  private static final NvmlDouble DOUBLE = NvmlDouble.INSTANCE;
  private static final List<MetricDefinition> GPM_METRICS = List.of(MetricCatalog.GRAPHICS_ENGINE_ACTIVE,
      MetricCatalog.SM_ACTIVE, MetricCatalog.SM_OCCUPANCY, MetricCatalog.TENSOR_ACTIVE, MetricCatalog.DRAM_ACTIVE,
      MetricCatalog.FP64_ACTIVE, MetricCatalog.FP32_ACTIVE, MetricCatalog.FP16_ACTIVE, MetricCatalog.PROFILED_PCIE_TX,
      MetricCatalog.PROFILED_PCIE_RX, MetricCatalog.PROFILED_NVLINK_TX, MetricCatalog.PROFILED_NVLINK_RX);
  private final RecordingObserver observer = new RecordingObserver();
  private final FakeClock clock = new FakeClock();
  private NvmlBackend backend;

  @BeforeEach
  void setUp() {
    DOUBLE.nvmlDouble_reset(1);
  }

  @AfterEach
  void tearDown() {
    if (backend != null) {
      backend.close();
    }
  }

  private NvmlDeviceReader gpu() throws Exception {
    backend = open(observer, clock);
    return (NvmlDeviceReader) backend.devices().get(0);
  }

  @Test
  void supportedGpmGivesRatiosAndByteRates() throws Exception {
    DOUBLE.nvmlDouble_setGpm(0, 1, 99.5);
    DOUBLE.nvmlDouble_setGpm(0, 2, 99.2);
    DOUBLE.nvmlDouble_setGpm(0, 3, 61.8);
    DOUBLE.nvmlDouble_setGpm(0, 5, 45.0);
    DOUBLE.nvmlDouble_setGpm(0, 10, 90.0);
    DOUBLE.nvmlDouble_setGpm(0, 12, 38.7);
    DOUBLE.nvmlDouble_setGpm(0, 20, 0.25);
    DOUBLE.nvmlDouble_setGpm(0, 21, 0.5);
    DOUBLE.nvmlDouble_setGpm(0, 60, 1024.0); // NVLINK_TOTAL_RX_PER_SEC, per nvml.h
    DOUBLE.nvmlDouble_setGpm(0, 61, 2048.0); // NVLINK_TOTAL_TX_PER_SEC
    NvmlDeviceReader reader = gpu();
    assertThat(reader.profiling()).isTrue();

    Readings first = tick(reader, 1000);
    assertThat(GPM_METRICS).noneMatch(first::has); // one sample is not a window yet

    clock.advanceMillis(1000);
    Readings second = tick(reader, 2000);
    assertThat(second.value(MetricCatalog.GRAPHICS_ENGINE_ACTIVE)).isEqualTo(0.995, within(1e-12));
    assertThat(second.value(MetricCatalog.SM_ACTIVE)).isEqualTo(0.992, within(1e-12));
    assertThat(second.value(MetricCatalog.SM_OCCUPANCY)).isEqualTo(0.618, within(1e-12));
    assertThat(second.value(MetricCatalog.TENSOR_ACTIVE)).isEqualTo(0.45, within(1e-12));
    assertThat(second.value(MetricCatalog.DRAM_ACTIVE)).isEqualTo(0.90, within(1e-12));
    assertThat(second.value(MetricCatalog.FP32_ACTIVE)).isEqualTo(0.387, within(1e-12));
    assertThat(second.value(MetricCatalog.FP64_ACTIVE)).isZero();
    assertThat(second.value(MetricCatalog.PROFILED_PCIE_TX)).isEqualTo(0.25 * 1024 * 1024);
    assertThat(second.value(MetricCatalog.PROFILED_PCIE_RX)).isEqualTo(0.5 * 1024 * 1024);
    assertThat(second.value(MetricCatalog.PROFILED_NVLINK_RX)).isEqualTo(1024.0 * 1024 * 1024);
    assertThat(second.value(MetricCatalog.PROFILED_NVLINK_TX)).isEqualTo(2048.0 * 1024 * 1024);
    assertThat(GPM_METRICS).allMatch(second::has);
    assertThat(observer.failures).isEmpty();
  }

  /** The driver refreshes every 100 ms: a window just over that may hold no refresh, so windows are ≥ 150 ms. */
  @Test
  void samplesCloserThan150MillisecondsAreNotDiffed() throws Exception {
    DOUBLE.nvmlDouble_setGpm(0, 2, 50.0);
    NvmlDeviceReader reader = gpu();
    tick(reader, 1000);
    clock.advanceMillis(50);
    assertThat(tick(reader, 1050).has(MetricCatalog.SM_ACTIVE)).isFalse();
    clock.advanceMillis(60); // 110 ms after the kept sample
    assertThat(tick(reader, 1110).has(MetricCatalog.SM_ACTIVE)).isFalse();
    clock.advanceMillis(50); // 160 ms
    assertThat(tick(reader, 1160).value(MetricCatalog.SM_ACTIVE)).isEqualTo(0.5);
    assertThat(DOUBLE.nvmlDouble_calls("nvmlGpmMetricsGet")).isEqualTo(1);
  }

  /**
   * At a 100 ms interval every other window is too short; the last window's values stand in there, so the series
   * do not flap between present and absent from one tick to the next.
   */
  @Test
  void atAShortIntervalTheLastWindowIsShownUntilTheNextOne() throws Exception {
    DOUBLE.nvmlDouble_setGpm(0, 2, 50.0);
    NvmlDeviceReader reader = gpu();
    tick(reader, 1000);
    clock.advanceMillis(100);
    tick(reader, 1100);
    clock.advanceMillis(100);
    assertThat(tick(reader, 1200).value(MetricCatalog.SM_ACTIVE)).isEqualTo(0.5);
    DOUBLE.nvmlDouble_setGpm(0, 2, 80.0);
    clock.advanceMillis(100);
    assertThat(tick(reader, 1300).value(MetricCatalog.SM_ACTIVE)).as("the 1000-1200 window").isEqualTo(0.5);
    clock.advanceMillis(100);
    assertThat(tick(reader, 1400).value(MetricCatalog.SM_ACTIVE)).as("the 1200-1400 window").isEqualTo(0.8);
    assertThat(DOUBLE.nvmlDouble_calls("nvmlGpmMetricsGet")).isEqualTo(2);
  }

  /** A window from before a failed sample is not shown again as if it were the latest. */
  @Test
  void aFailedSampleForgetsTheLastWindow() throws Exception {
    DOUBLE.nvmlDouble_setGpm(0, 2, 50.0);
    NvmlDeviceReader reader = gpu();
    tick(reader, 1000);
    clock.advanceMillis(200);
    assertThat(tick(reader, 1200).value(MetricCatalog.SM_ACTIVE)).isEqualTo(0.5);
    DOUBLE.nvmlDouble_setReturn("nvmlGpmSampleGet", 0, NvmlReturn.UNKNOWN);
    clock.advanceMillis(100);
    tick(reader, 1300);
    DOUBLE.nvmlDouble_setReturn("nvmlGpmSampleGet", 0, NvmlReturn.SUCCESS);
    clock.advanceMillis(100);
    tick(reader, 1400); // a fresh first sample
    clock.advanceMillis(100);
    assertThat(tick(reader, 1500).has(MetricCatalog.SM_ACTIVE)).as("no window since the failure yet").isFalse();
  }

  @Test
  void unsupportedGpmLeavesTheMetricsAbsentNotZero() throws Exception {
    DOUBLE.nvmlDouble_setGpmSupported(0, 0);
    NvmlDeviceReader reader = gpu();
    assertThat(reader.profiling()).isFalse();
    tick(reader, 1000);
    clock.advanceMillis(1000);
    Readings r = tick(reader, 2000);
    assertThat(GPM_METRICS).noneMatch(r::has);
    assertThat(r.has(MetricCatalog.UTILIZATION)).isTrue();
    assertThat(DOUBLE.nvmlDouble_calls("nvmlGpmSampleGet")).isZero();
    assertThat(DOUBLE.nvmlDouble_calls("nvmlGpmSampleAlloc")).isZero();
    assertThat(DOUBLE.nvmlDouble_calls("nvmlGpmQueryDeviceSupport")).as("asked once, not every tick").isEqualTo(1);
    assertThat(observer.unsupported).containsOnlyOnce("nvmlGpmQueryDeviceSupport");
  }

  /** A transient failure while setting GPM up (the GSP busy at start) must not lose profiling until a restart. */
  @Test
  void gpmThatFailedToOpenIsOpenedOnALaterTick() throws Exception {
    DOUBLE.nvmlDouble_setGpm(0, 2, 50.0);
    DOUBLE.nvmlDouble_setReturn("nvmlGpmSampleAlloc", NvmlDouble.ANY_DEVICE, NvmlReturn.UNKNOWN);
    NvmlDeviceReader reader = gpu();
    assertThat(reader.profiling()).isFalse();
    tick(reader, 1000);
    assertThat(observer.failures).extracting(RecordingObserver.Failure::function).contains("nvmlGpmSampleAlloc");

    DOUBLE.nvmlDouble_setReturn("nvmlGpmSampleAlloc", NvmlDouble.ANY_DEVICE, NvmlReturn.SUCCESS);
    clock.advanceMillis(1000);
    tick(reader, 2000);
    assertThat(reader.profiling()).isTrue();
    clock.advanceMillis(1000);
    assertThat(tick(reader, 3000).value(MetricCatalog.SM_ACTIVE)).isEqualTo(0.5);
  }

  @Test
  void gpmQueryNotSupportedIsAnUnsupportedFunction() throws Exception {
    DOUBLE.nvmlDouble_setReturn("nvmlGpmQueryDeviceSupport", 0, NvmlReturn.NOT_SUPPORTED);
    assertThat(gpu().profiling()).isFalse();
    assertThat(observer.unsupported).contains("nvmlGpmQueryDeviceSupport");
  }
}
