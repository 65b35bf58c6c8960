package io.acceltel.exporter.nvml;

/**
 * Turns a cumulative hardware counter into a per-second rate between ticks. A 32-bit counter that went down
 * wrapped around (PCIe byte counters are {@code unsigned int} on H100 and wrap every few seconds under load); a
 * 64-bit counter that went down was reset (driver reload), and that tick gives no rate.
 *
 * <pre>{@code
 * double bytesPerSecond = rate.update(rawCounter, is32Bit, tickMillis); // NaN on the first tick
 * }</pre>
 */
final class CounterRate {
  private static final double TWO_TO_32 = 4_294_967_296.0;

  private final double scale;
  private boolean primed;
  private double previous;
  private long previousMillis;

  /** @param scale multiplies the counter's unit into the rate's unit, e.g. 1024 for KiB counters to bytes */
  CounterRate(double scale) {
    this.scale = scale;
  }

  /** The rate since the previous update, or NaN when there is none yet (first tick, reset, or no time passed). */
  double update(double value, boolean wrapsAt32Bits, long nowMillis) {
    boolean hadPrevious = primed;
    double last = previous;
    long elapsedMillis = nowMillis - previousMillis;
    primed = true;
    previous = value;
    previousMillis = nowMillis;
    if (!hadPrevious || elapsedMillis <= 0) {
      return Double.NaN;
    }
    double delta = value - last;
    if (delta < 0) {
      if (!wrapsAt32Bits) {
        return Double.NaN;
      }
      delta += TWO_TO_32;
    }
    return delta * scale * 1000.0 / elapsedMillis;
  }

  /** Forgets the previous value, so the next update starts over (e.g. after the field failed for a tick). */
  void reset() {
    primed = false;
  }
}
