package io.acceltel.exporter.nvml;

import com.sun.jna.Pointer;
import io.acceltel.exporter.device.DeviceLostException;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.snapshot.ReadingSink;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads NVLink state and error counters per link. The first tick probes links 0..35 until the first one that
 * answers NOT_SUPPORTED or INVALID_ARGUMENT, which is where the device's links end; later ticks read only that
 * many, instead of probing 36 links every second.
 *
 * <p>Not thread-safe; used by the tick thread.
 */
final class NvLinkReader {
  private static final String STATE = "nvmlDeviceGetNvLinkState";
  private static final String ERRORS = "nvmlDeviceGetNvLinkErrorCounter";
  private static final int[] COUNTERS = {
    NvmlLibrary.NVML_NVLINK_ERROR_DL_CRC_FLIT,
    NvmlLibrary.NVML_NVLINK_ERROR_DL_CRC_DATA,
    NvmlLibrary.NVML_NVLINK_ERROR_DL_REPLAY,
    NvmlLibrary.NVML_NVLINK_ERROR_DL_RECOVERY,
  };
  private static final String[] COUNTER_LABELS = {"crc_flit", "crc_data", "replay", "recovery"};
  /**
   * What answers NOT_SUPPORTED is one counter, not the function: a GPU may lack CRC data counts and still have
   * replays and recoveries, so each counter is left out on its own.
   */
  private static final String[] COUNTER_CALLS = new String[COUNTERS.length];
  private static final String[] LINK_LABELS = new String[NvmlLibrary.NVML_NVLINK_MAX_LINKS];
  // Label lists built once, so a tick with 18 links allocates no label lists.
  private static final List<List<String>> ERROR_LABELS = errorLabels();

  static {
    for (int i = 0; i < LINK_LABELS.length; i++) {
      LINK_LABELS[i] = Integer.toString(i);
    }
    for (int c = 0; c < COUNTERS.length; c++) {
      COUNTER_CALLS[c] = ERRORS + "(" + COUNTER_LABELS[c] + ")";
    }
  }

  private final NvmlLibrary nvml;
  private final CallGuard guard;
  private final NativeOut out = new NativeOut();
  /** Links the device has; -1 until the first tick probed them. */
  private int linkCount = -1;

  NvLinkReader(NvmlLibrary nvml, CallGuard guard) {
    this.nvml = nvml;
    this.guard = guard;
  }

  /** Counts the links again from the next read: after a reset or a MIG change they may differ. */
  void reprobe() {
    linkCount = -1;
  }

  void read(Pointer handle, ReadingSink sink) throws DeviceLostException {
    if (linkCount == 0) {
      return;
    }
    int limit = linkCount < 0 ? NvmlLibrary.NVML_NVLINK_MAX_LINKS : linkCount;
    for (int link = 0; link < limit; link++) {
      int rc = nvml.nvmlDeviceGetNvLinkState(handle, link, out.slot(0));
      if (linkCount < 0 && (rc == NvmlReturn.NOT_SUPPORTED || rc == NvmlReturn.INVALID_ARGUMENT)) {
        linkCount = link;
        if (link == 0) {
          guard.markUnsupported(STATE);
        }
        return;
      }
      if (guard.ok(rc, STATE)) {
        sink.set(MetricCatalog.NVLINK_UP, LINK_LABELS[link], out.uint(0) == 1 ? 1 : 0);
      }
      readErrors(handle, link, sink);
    }
    linkCount = limit;
  }

  private void readErrors(Pointer handle, int link, ReadingSink sink) throws DeviceLostException {
    for (int c = 0; c < COUNTERS.length; c++) {
      if (!guard.skip(COUNTER_CALLS[c]) && guard.ok(
          nvml.nvmlDeviceGetNvLinkErrorCounter(handle, link, COUNTERS[c], out.slot(1)), COUNTER_CALLS[c])) {
        sink.set(MetricCatalog.NVLINK_ERRORS, ERROR_LABELS.get(link * COUNTERS.length + c),
            NvmlValue.unsignedToDouble(out.ulong(1)));
      }
    }
  }

  private static List<List<String>> errorLabels() {
    List<List<String>> labels = new ArrayList<>();
    for (int link = 0; link < NvmlLibrary.NVML_NVLINK_MAX_LINKS; link++) {
      for (String counter : COUNTER_LABELS) {
        labels.add(List.of(Integer.toString(link), counter));
      }
    }
    return List.copyOf(labels);
  }
}
