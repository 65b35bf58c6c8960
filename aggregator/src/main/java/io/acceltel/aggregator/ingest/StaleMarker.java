package io.acceltel.aggregator.ingest;

/** Prometheus's staleness marker: a NaN with a specific bit pattern, stored bit-exactly. */
public final class StaleMarker {
  public static final long BITS = 0x7ff0000000000002L;
  public static final double VALUE = Double.longBitsToDouble(BITS);

  private StaleMarker() {}

  public static boolean is(double v) {
    return Double.doubleToRawLongBits(v) == BITS;
  }
}
