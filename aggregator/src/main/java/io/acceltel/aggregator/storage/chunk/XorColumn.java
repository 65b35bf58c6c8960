package io.acceltel.aggregator.storage.chunk;

/**
 * Gorilla XOR state for one value column: the previous value's bits and the current leading/trailing-zero window.
 * Writing: {@code 0} for a repeat; {@code 10} + the meaningful bits when they fit the previous window; {@code 11}
 * + 5 bits leading zeros + 6 bits length (64 as 0) + the bits otherwise. NaN payloads, including Prometheus's
 * staleness marker, round-trip bit-exactly because only raw bits are compared.
 *
 * <pre>{@code
 * XorColumn col = new XorColumn();
 * col.writeFirst(w, 1.5);
 * col.write(w, 1.5);        // one bit
 * }</pre>
 */
public final class XorColumn {
  private long prev;
  private int leading = -1;
  private int trailing;

  public void writeFirst(BitWriter w, double v) {
    prev = Double.doubleToRawLongBits(v);
    leading = -1;
    w.writeBits(prev, 64);
  }

  public void write(BitWriter w, double v) {
    long bits = Double.doubleToRawLongBits(v);
    long x = bits ^ prev;
    prev = bits;
    if (x == 0) {
      w.writeBit(false);
      return;
    }
    int lead = Long.numberOfLeadingZeros(x);
    int trail = Long.numberOfTrailingZeros(x);
    if (lead > 31) {
      lead = 31; // five bits hold at most 31
    }
    if (leading >= 0 && lead >= leading && trail >= trailing) {
      int sig = 64 - leading - trailing;
      w.writeBits(0b10, 2);
      w.writeBits(x >>> trailing, sig);
    } else {
      leading = lead;
      trailing = trail;
      int sig = 64 - lead - trail;
      // 2 control bits + 5 + 6 = 13 bits of header in one write.
      w.writeBits((0b11L << 11) | ((long) lead << 6) | (sig & 63), 13);
      w.writeBits(x >>> trail, sig);
    }
  }

  /** Reads a column written by {@link XorColumn}; reusable through {@link #readFirst}. */
  public static final class Reader {
    private long prev;
    private int leading;
    private int trailing;

    public double readFirst(BitReader r) {
      prev = r.readBits(64);
      leading = 0;
      trailing = 0;
      return Double.longBitsToDouble(prev);
    }

    public double read(BitReader r) {
      if (!r.readBit()) {
        return Double.longBitsToDouble(prev);
      }
      if (r.readBit()) {
        leading = (int) r.readBits(5);
        int sig = (int) r.readBits(6);
        if (sig == 0) {
          sig = 64;
        }
        trailing = 64 - leading - sig;
      }
      int sig = 64 - leading - trailing;
      prev ^= r.readBits(sig) << trailing;
      return Double.longBitsToDouble(prev);
    }
  }
}
