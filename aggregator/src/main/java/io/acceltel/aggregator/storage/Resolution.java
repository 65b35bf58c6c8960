package io.acceltel.aggregator.storage;

import java.time.Duration;

/**
 * The resolution a query reads: {@link #RAW} (the head's and raw blocks' samples) or a tier of downsampled windows
 * of {@code millis} each, aligned to multiples of the resolution since the epoch.
 *
 * <pre>{@code
 * Resolution fiveMinutes = Resolution.of(Duration.ofMinutes(5));
 * querier.select(matchers, mint, maxt, fiveMinutes);
 * }</pre>
 */
public record Resolution(long millis) implements Comparable<Resolution> {
  public static final Resolution RAW = new Resolution(0);

  public Resolution {
    if (millis < 0) {
      throw new IllegalArgumentException("resolution must be >= 0 ms (0 = raw), got " + millis);
    }
  }

  public static Resolution of(Duration d) {
    return new Resolution(d.toMillis());
  }

  public static Resolution ofMillis(long millis) {
    return millis == 0 ? RAW : new Resolution(millis);
  }

  public boolean isRaw() {
    return millis == 0;
  }

  @Override
  public int compareTo(Resolution o) {
    return Long.compare(millis, o.millis);
  }

  /** "raw", or the shortest exact form: "10s", "1m", "5m", "1h", "1d", else milliseconds. */
  @Override
  public String toString() {
    if (millis == 0) {
      return "raw";
    }
    long[] units = {86_400_000L, 3_600_000L, 60_000L, 1000L};
    String[] names = {"d", "h", "m", "s"};
    for (int i = 0; i < units.length; i++) {
      if (millis % units[i] == 0) {
        return (millis / units[i]) + names[i];
      }
    }
    return millis + "ms";
  }
}
