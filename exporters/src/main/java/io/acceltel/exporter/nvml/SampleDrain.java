package io.acceltel.exporter.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.acceltel.exporter.device.DeviceLostException;

/**
 * Drains one of the driver's sample ring buffers ({@code nvmlDeviceGetSamples}) incrementally: each call asks only
 * for samples newer than the newest one seen, and reports their average and maximum. On an H100 the utilization
 * ring gets a sample every 200 ms and the power ring one every 20 ms, so a 1 Hz plain read sees one utilization
 * window in five and no power peaks; draining the ring sees them all.
 *
 * <p>The average is weighted by time: each sample stands for the time since the one before it. Power samples come
 * 7 to 45 ms apart (reference/nvml.md §3.2), so a plain mean would let a burst of close samples outweigh a longer
 * stretch of sparse ones.
 *
 * <p>The power ring holds ~2.4 s on an H100: at a longer interval the collection loop also {@link #pull}s between
 * ticks, and the tick's {@link #drain} reports everything pulled since the last tick.
 *
 * <pre>{@code
 * drain.pull(handle); // between ticks, when the interval is longer than the ring
 * if (drain.drain(handle) == SampleDrain.Result.NEW_SAMPLES) {
 *   sink.set(UTILIZATION, drain.average() / 100);
 * }
 * }</pre>
 *
 * <p>Not thread-safe; one per device and sampling type, used by the tick thread.
 */
final class SampleDrain {
  /** What a drain found. */
  enum Result {
    NEW_SAMPLES,
    /** NOT_FOUND: the ring holds nothing newer than the last drain; callers fall back to the plain read. */
    NO_NEW_SAMPLES,
    /** The call failed or is unsupported; the guard has already reported it. */
    FAILED
  }

  /** On the first drain the ring may hold up to 14 s of history; count only its newest second, like a tick. */
  private static final long FIRST_DRAIN_WINDOW_US = 1_000_000L;
  private static final int INITIAL_CAPACITY = 128;
  /**
   * A first sample this many mean spacings after the last drain's newest is taken to follow a gap the ring
   * overwrote. Power samples come 7 to 45 ms apart around a 20 ms mean, well inside it.
   */
  private static final long GAP_FACTOR = 4;

  private final NvmlLibrary nvml;
  private final CallGuard guard;
  private final int samplingType;
  private final String function;
  private final NativeOut out = new NativeOut();
  private Memory buffer = new Memory((long) INITIAL_CAPACITY * NvmlStructs.Sample.SIZE);
  private int capacity = INITIAL_CAPACITY;
  /** The new samples of one drain in time order, reused across ticks. */
  private long[] timestamps = new long[INITIAL_CAPACITY];
  private double[] values = new double[INITIAL_CAPACITY];
  private long lastSeenUs;
  private double average;
  private double max;
  // What the pulls since the last drain found: time-weighted sum over the time they cover, and a plain mean for
  // samples that cover none.
  private double pulledWeighted;
  private long pulledSpanUs;
  private double pulledSum;
  private int pulledCount;
  private double pulledMax = Double.NEGATIVE_INFINITY;

  SampleDrain(NvmlLibrary nvml, CallGuard guard, int samplingType, String typeName) {
    this.nvml = nvml;
    this.guard = guard;
    this.samplingType = samplingType;
    this.function = "nvmlDeviceGetSamples(" + typeName + ")";
  }

  /**
   * Pulls the samples new since the last pull and reports, through {@link #average()} and {@link #max()}, all
   * those pulled since the last drain. NEW_SAMPLES when there were any, even if this pull itself failed.
   */
  Result drain(Pointer handle) throws DeviceLostException {
    Result pulled = pull(handle);
    if (pulledCount == 0) {
      return pulled;
    }
    average = pulledSpanUs > 0 ? pulledWeighted / pulledSpanUs : pulledSum / pulledCount;
    max = pulledMax;
    forgetPulled();
    return Result.NEW_SAMPLES;
  }

  /**
   * Forgets what was pulled and not yet reported: after a loss those samples are from before it, and the first
   * tick after the recovery, maybe hours later, must not report them.
   */
  void forgetPulled() {
    pulledWeighted = 0;
    pulledSpanUs = 0;
    pulledSum = 0;
    pulledCount = 0;
    pulledMax = Double.NEGATIVE_INFINITY;
  }

  /** Takes the samples new since the last pull into the next {@link #drain}'s report. */
  Result pull(Pointer handle) throws DeviceLostException {
    if (guard.skip(function)) {
      return Result.FAILED;
    }
    int rc = call(handle);
    if (rc == NvmlReturn.INSUFFICIENT_SIZE || (rc == NvmlReturn.SUCCESS && out.uint(1) >= capacity)) {
      // The driver fills only as many samples as the buffer holds and answers SUCCESS, so a full buffer may have
      // been cut short (and a driver may refuse instead). The outputs of a failed call are not trusted: with
      // samples = NULL it answers the ring's capacity.
      growTo(Math.max(capacity * 2, ringCapacity(handle)));
      rc = call(handle);
    }
    if (rc == NvmlReturn.NOT_FOUND) {
      return Result.NO_NEW_SAMPLES;
    }
    if (!guard.ok(rc, function)) {
      return Result.FAILED;
    }
    return summarize((int) out.uint(0), (int) out.uint(1));
  }

  private int call(Pointer handle) {
    Pointer valueType = out.slot(0);
    Pointer count = out.slot(1);
    count.setInt(0, capacity);
    return nvml.nvmlDeviceGetSamples(handle, samplingType, lastSeenUs, valueType, count, buffer);
  }

  private int ringCapacity(Pointer handle) {
    Pointer count = out.slot(1);
    int rc = nvml.nvmlDeviceGetSamples(handle, samplingType, lastSeenUs, out.slot(0), count, null);
    return rc == NvmlReturn.SUCCESS ? (int) out.uint(1) : 0;
  }

  private Result summarize(int valueType, int count) {
    int n = Math.min(count, capacity);
    long newest = lastSeenUs;
    for (int i = 0; i < n; i++) {
      newest = Math.max(newest, buffer.getLong((long) i * NvmlStructs.Sample.SIZE + NvmlStructs.Sample.OFFSET_TIMESTAMP));
    }
    // The first drain starts at 0 and gets the whole ring; later drains get only what is newer than lastSeen,
    // but the driver's filter is not trusted blindly: anything at or before lastSeen is skipped here too.
    boolean firstDrain = lastSeenUs == 0;
    long after = firstDrain ? newest - FIRST_DRAIN_WINDOW_US : lastSeenUs;
    double highest = Double.NEGATIVE_INFINITY;
    int used = 0;
    for (int i = 0; i < n; i++) {
      long base = (long) i * NvmlStructs.Sample.SIZE;
      long ts = buffer.getLong(base + NvmlStructs.Sample.OFFSET_TIMESTAMP);
      if (ts <= after) {
        continue;
      }
      double value = NvmlValue.toDouble(valueType, buffer.getLong(base + NvmlStructs.Sample.OFFSET_VALUE));
      insertInTimeOrder(used++, ts, value);
      highest = Math.max(highest, value);
    }
    lastSeenUs = newest;
    if (used == 0) {
      return Result.NO_NEW_SAMPLES;
    }
    addTimeWeighted(used, firstDrain ? Long.MIN_VALUE : after);
    pulledMax = Math.max(pulledMax, highest);
    return Result.NEW_SAMPLES;
  }

  /** Insertion sort: the ring hands samples out nearly in order, so this is one comparison per sample. */
  private void insertInTimeOrder(int index, long ts, double value) {
    int i = index;
    while (i > 0 && timestamps[i - 1] > ts) {
      timestamps[i] = timestamps[i - 1];
      values[i] = values[i - 1];
      i--;
    }
    timestamps[i] = ts;
    values[i] = value;
  }

  /**
   * Adds one pull's samples to the report, each weighing the time since the previous one: for the first, since
   * {@code previousSample}, the newest sample of the last pull; on the first pull ({@link Long#MIN_VALUE}) that is
   * unknown, and the spacing of the first two samples stands in. So does the pull's mean spacing when the first
   * sample came far later than that: the ring (2.4 s of power on an H100) overwrote what lay between, after a device
   * that was lost a while (or pulls further apart than the ring), and the one sample left from then must not stand
   * for the whole gap.
   */
  private void addTimeWeighted(int count, long previousSample) {
    double weighted = 0;
    double plain = 0;
    long start;
    if (previousSample == Long.MIN_VALUE) {
      start = count > 1 ? 2 * timestamps[0] - timestamps[1] : timestamps[0];
    } else {
      start = previousSample;
      if (count > 1) {
        long meanSpacing = (timestamps[count - 1] - timestamps[0]) / (count - 1);
        if (timestamps[0] - previousSample > GAP_FACTOR * meanSpacing) {
          start = timestamps[0] - meanSpacing;
        }
      }
    }
    long previous = start;
    for (int i = 0; i < count; i++) {
      weighted += (double) (timestamps[i] - previous) * values[i];
      plain += values[i];
      previous = timestamps[i];
    }
    long span = timestamps[count - 1] - start;
    if (span > 0) {
      pulledWeighted += weighted;
      pulledSpanUs += span;
    }
    pulledSum += plain;
    pulledCount += count;
  }

  private void growTo(int newCapacity) {
    buffer = new Memory((long) newCapacity * NvmlStructs.Sample.SIZE);
    capacity = newCapacity;
    timestamps = new long[newCapacity];
    values = new double[newCapacity];
  }

  /** Time-weighted average of the samples the last drain reported, in the sample's raw unit (%, mW). */
  double average() {
    return average;
  }

  /** Maximum of the samples the last drain reported. */
  double max() {
    return max;
  }
}
