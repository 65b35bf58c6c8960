package io.acceltel.exporter.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.acceltel.exporter.device.DeviceLostException;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.snapshot.ReadingSink;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Profiling metrics through NVML GPM (Hopper and newer): SM active, occupancy, tensor/FP pipes, DRAM, and the
 * profiler's PCIe and NVLink rates. Each tick takes a GPM sample; when the previous sample is at least 150 ms old
 * (the driver refreshes every 100 ms; closer samples read as zeros) the two are diffed with one
 * {@code nvmlGpmMetricsGet} and swapped, and otherwise the last window's values are shown again. On devices without
 * GPM nothing is emitted: those metrics are absent, never zero.
 *
 * <p>Not thread-safe; used by the tick thread. {@link #close()} frees the two native samples.
 */
final class GpmSampler implements AutoCloseable {
  /**
   * The driver refreshes GPM every 100 ms, and a 50 ms window measured all zeros with rc 0 (reference/nvml.md):
   * a window only just over 100 ms may hold one refresh or none, so windows are at least 150 ms.
   */
  private static final long MIN_INTERVAL_NANOS = 150_000_000L;
  private static final String SAMPLE_GET = "nvmlGpmSampleGet";
  private static final String METRICS_GET = "nvmlGpmMetricsGet";
  static final String QUERY_SUPPORT = "nvmlGpmQueryDeviceSupport";

  /** GPM metric ids (nvmlGpmMetricId_t) and the catalog metric each feeds. */
  private static final int[] IDS = {1, 2, 3, 5, 10, 11, 12, 13, 20, 21, 60, 61};
  private static final MetricDefinition[] METRICS = {
    MetricCatalog.GRAPHICS_ENGINE_ACTIVE,
    MetricCatalog.SM_ACTIVE,
    MetricCatalog.SM_OCCUPANCY,
    MetricCatalog.TENSOR_ACTIVE,
    MetricCatalog.DRAM_ACTIVE,
    MetricCatalog.FP64_ACTIVE,
    MetricCatalog.FP32_ACTIVE,
    MetricCatalog.FP16_ACTIVE,
    MetricCatalog.PROFILED_PCIE_TX,
    MetricCatalog.PROFILED_PCIE_RX,
    MetricCatalog.PROFILED_NVLINK_RX, // 60 is NVLINK_TOTAL_RX_PER_SEC: unlike PCIe (20 TX, 21 RX), receive comes first
    MetricCatalog.PROFILED_NVLINK_TX,
  };
  private static final double PERCENT = 0.01;
  private static final double MIB = 1024.0 * 1024.0;
  /** Ratios come in %, byte rates in MiB/s. */
  private static final double[] SCALES = {
    PERCENT, PERCENT, PERCENT, PERCENT, PERCENT, PERCENT, PERCENT, PERCENT, MIB, MIB, MIB, MIB
  };

  private final NvmlLibrary nvml;
  private final CallGuard guard;
  private final LongSupplier nanoClock;
  private static final String[] METRIC_FUNCTIONS = metricFunctions();

  private final Memory request = new Memory(NvmlStructs.GpmMetricsGetHead.FULL_SIZE);
  private Pointer previous;
  private Pointer current;
  private long previousNanos;
  private boolean previousValid;
  /**
   * The last window's values (NaN: absent), shown again while the next window is too short: at a short interval
   * every other tick is, and leaving the metrics out there would make their series flap.
   */
  private final double[] lastWindow = new double[IDS.length];

  private GpmSampler(NvmlLibrary nvml, CallGuard guard, LongSupplier nanoClock, Pointer first, Pointer second) {
    this.nvml = nvml;
    this.guard = guard;
    this.nanoClock = nanoClock;
    this.previous = first;
    this.current = second;
    Arrays.fill(lastWindow, Double.NaN);
  }

  /**
   * Returns a sampler when the device supports GPM and two samples could be allocated, or null: then the GPM
   * metrics are absent for the device. A device without GPM (before Hopper, or a driver before R520) is recorded
   * in the guard as unsupported, so that {@code guard.skip(QUERY_SUPPORT)} says not to try again; after any other
   * failure (counted) the caller tries again on a later tick.
   */
  static GpmSampler open(NvmlLibrary nvml, CallGuard guard, Pointer handle, LongSupplier nanoClock)
      throws DeviceLostException {
    NvmlStructs.GpmSupport support = new NvmlStructs.GpmSupport();
    if (!guard.ok(nvml.nvmlGpmQueryDeviceSupport(handle, support), QUERY_SUPPORT)) {
      return null;
    }
    if (support.isSupportedDevice == 0) {
      guard.markUnsupported(QUERY_SUPPORT);
      return null;
    }
    NativeOut out = new NativeOut();
    if (!guard.ok(nvml.nvmlGpmSampleAlloc(out.slot(0)), "nvmlGpmSampleAlloc")) {
      return null;
    }
    Pointer first = out.pointer(0);
    if (!guard.ok(nvml.nvmlGpmSampleAlloc(out.slot(0)), "nvmlGpmSampleAlloc")) {
      nvml.nvmlGpmSampleFree(first);
      return null;
    }
    return new GpmSampler(nvml, guard, nanoClock, first, out.pointer(0));
  }

  void read(Pointer handle, ReadingSink sink) throws DeviceLostException {
    if (guard.skip(SAMPLE_GET) || guard.skip(METRICS_GET)) {
      return;
    }
    long now = nanoClock.getAsLong();
    if (!guard.ok(nvml.nvmlGpmSampleGet(handle, current), SAMPLE_GET)) {
      restart();
      return;
    }
    if (!previousValid) {
      swap(now);
      return;
    }
    if (now - previousNanos < MIN_INTERVAL_NANOS) {
      emitLastWindow(sink); // too close to the previous sample: keep it, and overwrite this one next tick
      return;
    }
    if (metrics(sink)) {
      swap(now);
    } else {
      restart();
    }
  }

  private void emitLastWindow(ReadingSink sink) {
    for (int i = 0; i < IDS.length; i++) {
      if (!Double.isNaN(lastWindow[i])) {
        sink.set(METRICS[i], lastWindow[i]);
      }
    }
  }

  private boolean metrics(ReadingSink sink) throws DeviceLostException {
    request.setInt(0, NvmlStructs.GpmMetricsGetHead.NVML_GPM_METRICS_GET_VERSION);
    request.setInt(NvmlStructs.GpmMetricsGetHead.OFFSET_NUM_METRICS, IDS.length);
    request.setPointer(NvmlStructs.GpmMetricsGetHead.OFFSET_SAMPLE1, previous);
    request.setPointer(NvmlStructs.GpmMetricsGetHead.OFFSET_SAMPLE2, current);
    for (int i = 0; i < IDS.length; i++) {
      request.setInt(metricOffset(i), IDS[i]);
    }
    if (!guard.ok(nvml.nvmlGpmMetricsGet(request), METRICS_GET)) {
      return false;
    }
    Arrays.fill(lastWindow, Double.NaN);
    for (int i = 0; i < IDS.length; i++) {
      long base = metricOffset(i);
      int rc = request.getInt(base + NvmlStructs.GpmMetric.OFFSET_RETURN);
      String function = METRIC_FUNCTIONS[i];
      if (rc == NvmlReturn.NOT_SUPPORTED) {
        guard.markUnsupported(function);
        continue;
      }
      if (rc != NvmlReturn.SUCCESS) {
        guard.lostIf(rc, function);
        guard.failed(rc, function);
        continue;
      }
      double value = request.getDouble(base + NvmlStructs.GpmMetric.OFFSET_VALUE);
      if (!Double.isNaN(value)) {
        lastWindow[i] = value * SCALES[i];
        sink.set(METRICS[i], lastWindow[i]);
      }
    }
    return true;
  }

  private static String[] metricFunctions() {
    String[] names = new String[IDS.length];
    for (int i = 0; i < IDS.length; i++) {
      names[i] = METRICS_GET + "(" + IDS[i] + ")";
    }
    return names;
  }

  private static long metricOffset(int i) {
    return NvmlStructs.GpmMetricsGetHead.SIZE + (long) i * NvmlStructs.GpmMetric.SIZE;
  }

  private void swap(long now) {
    Pointer taken = current;
    current = previous;
    previous = taken;
    previousNanos = now;
    previousValid = true;
  }

  /** Starts over after the device was lost: a sample from before the loss must not be diffed. */
  void restart() {
    previousValid = false;
    Arrays.fill(lastWindow, Double.NaN);
  }

  @Override
  public void close() {
    nvml.nvmlGpmSampleFree(previous);
    nvml.nvmlGpmSampleFree(current);
  }
}
