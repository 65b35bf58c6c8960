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
  /** No leading/trailing-zero window yet: the next value that differs writes its own. */
  static final int NO_WINDOW = -1;

  private long prev;
  private int window = NO_WINDOW;

  public void writeFirst(BitWriter w, double v) {
    prev = Double.doubleToRawLongBits(v);
    window = NO_WINDOW;
    w.writeBits(prev, 64);
  }

  public void write(BitWriter w, double v) {
    long bits = Double.doubleToRawLongBits(v);
    window = write(w, prev, window, bits);
    prev = bits;
  }

  /**
   * Writes the value {@code bits} after one whose bits were {@code prev}, under {@code window} ({@code leading << 8
   * | trailing}, or {@link #NO_WINDOW}); returns the window after it. The state is two primitives, so a writer of
   * several columns keeps them in its own fields rather than one object per column.
   */
  static int write(BitWriter w, long prev, int window, long bits) {
    long x = bits ^ prev;
    if (x == 0) {
      w.writeBit(false);
      return window;
    }
    int lead = Math.min(Long.numberOfLeadingZeros(x), 31); // five bits hold at most 31
    int trail = Long.numberOfTrailingZeros(x);
    if (window != NO_WINDOW) {
      int leading = window >>> 8;
      int trailing = window & 0xFF;
      if (lead >= leading && trail >= trailing) {
        int sig = 64 - leading - trailing;
        if (sig <= 62) {
          w.writeBits((0b10L << sig) | (x >>> trailing), sig + 2);
        } else {
          w.writeBits(0b10, 2);
          w.writeBits(x >>> trailing, sig);
        }
        return window;
      }
    }
    int sig = 64 - lead - trail;
    // 2 control bits + 5 + 6 = 13 bits of header, written with the bits when they fit one word.
    long header = (0b11L << 11) | ((long) lead << 6) | (sig & 63);
    if (sig <= 51) {
      w.writeBits((header << sig) | (x >>> trail), 13 + sig);
    } else {
      w.writeBits(header, 13);
      w.writeBits(x >>> trail, sig);
    }
    return lead << 8 | trail;
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

    /** The value last read. */
    public double current() {
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
