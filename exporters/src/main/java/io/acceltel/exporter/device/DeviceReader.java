package io.acceltel.exporter.device;

import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.ReadingSink;

/**
 * Reads one device. The collection loop calls {@link #read} once per tick from a thread dedicated to this device,
 * so a slow or hung device never delays the others; a reader keeps whatever per-device state it needs between
 * ticks (last sample timestamps, previous counters, profiling samples) and need not be thread-safe for
 * {@link #read}.
 */
public interface DeviceReader {
  DeviceIdentity identity();

  /**
   * Reads the cheap, per-tick metrics. Metrics the device does not support are left out. Other failures are
   * reported through the {@link NativeCallObserver} and the metric is left out for this tick.
   *
   * @param tickMillis the wall-clock aligned timestamp of this tick
   * @throws DeviceLostException when the device no longer answers (fell off the bus); the loop marks it lost and
   *     calls {@link #recover()} on later ticks
   */
  void read(long tickMillis, ReadingSink sink) throws DeviceLostException;

  /**
   * Called on the thread of {@link #read} about once a second between ticks when the interval is longer than
   * {@code CollectionLoop.SAMPLE_BETWEEN_TICKS_ABOVE}: a reader that drains driver sample rings holding only a few
   * seconds (NVML's power ring: ~2.4 s on an H100) takes their samples here, and the next {@link #read} reports
   * them with its own. Must be cheap; a device that no longer answers is found by the next read, so this may throw.
   */
  default void sampleBetweenTicks() throws DeviceLostException {}

  /**
   * Reads the expensive metrics (the NVML energy counter costs ~3 ms, up to 16 ms). The loop runs this off the
   * tick's critical path on its own thread and adds the latest completed result to each tick; it is never awaited.
   * Called from one thread at a time, but not the thread that calls {@link #read}.
   */
  default void readBackground(ReadingSink sink) throws DeviceLostException {}

  /**
   * What is still known about a device that does not answer: state the exporter keeps itself rather than asks the
   * device for, such as the XID counts the event thread recorded. The XID that took a GPU off the bus (79) is the
   * one an SRE most needs to see, and counters that vanish while the device is lost break {@code increase()} over
   * the loss. Called on a tick a device is reported lost, from the tick's thread or the device's; must not call the
   * driver about this device.
   */
  default void readWhileLost(ReadingSink sink) {}

  /** Tries to get a lost device back (re-acquire its handle by UUID); true when it answers again. */
  default boolean recover() {
    return false;
  }
}
