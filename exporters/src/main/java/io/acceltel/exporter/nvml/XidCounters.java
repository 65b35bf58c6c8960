package io.acceltel.exporter.nvml;

import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.snapshot.ReadingSink;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * XID errors seen on one device since the exporter started: a count per XID code and the most recent code. The XID
 * thread writes, the device's tick thread reads; both sides are lock-free.
 *
 * <p>A counter per code, rather than only a sticky "last XID" gauge, lets alerts use {@code increase()} and lets an
 * XID that happened once be told apart from one that keeps coming (dcgm-exporter #500, #190).
 */
final class XidCounters {
  private final Map<Integer, LongAdder> counts = new ConcurrentHashMap<>();
  private final Map<Integer, String> labels = new ConcurrentHashMap<>();
  private volatile int last;
  /** Whether the device is in the XID event set: otherwise no XID could be seen, and none is reported. */
  private volatile boolean watched;
  /** Whether the device was ever in the set: then the counts seen so far are true, even while it is not. */
  private volatile boolean everWatched;

  /** Called from the XID thread for each XID event of this device. */
  void record(int xid) {
    labels.computeIfAbsent(xid, String::valueOf);
    counts.computeIfAbsent(xid, k -> new LongAdder()).increment();
    // Written after the count, so a reader that sees the new last XID also sees it counted.
    last = xid;
  }

  void watched(boolean watched) {
    this.watched = watched;
    if (watched) {
      everWatched = true;
    }
  }

  /**
   * Emits XID_ERRORS per code seen and LAST_XID (0 when none), while the device is watched: "no XID" must not be
   * reported for a device whose XIDs cannot be seen (no event set, or registration refused).
   */
  void emit(ReadingSink sink) {
    if (watched) {
      emitCounts(sink);
    }
  }

  /**
   * For a lost device, which the XID thread cannot watch: the counts seen while it could, so that the XID that took
   * it down stays visible and the counters do not vanish for the loss.
   */
  void emitWhileLost(ReadingSink sink) {
    if (everWatched) {
      emitCounts(sink);
    }
  }

  private void emitCounts(ReadingSink sink) {
    for (Map.Entry<Integer, LongAdder> entry : counts.entrySet()) {
      sink.set(MetricCatalog.XID_ERRORS, labels.get(entry.getKey()), entry.getValue().sum());
    }
    sink.set(MetricCatalog.LAST_XID, last);
  }

  int last() {
    return last;
  }

  long count(int xid) {
    LongAdder adder = counts.get(xid);
    return adder == null ? 0 : adder.sum();
  }
}
