package io.acceltel.aggregator.storage.chunk;

/**
 * Picks and writes the encoding of one column of doubles: Gorilla XOR, or decimal fixed point ({@code v = m /
 * 10^scale}) when every value is such a decimal and that is smaller, with the deltas of {@code m} either
 * Rice-coded or, where the caller allows it, packed at a fixed width. Sealed sample chunks and columnar tier
 * chunks both encode their values through it (see {@code docs/storage-format.md}). Writer-thread scratch: one per
 * compactor, reused across chunks.
 *
 * <pre>{@code
 * enc.choose(values, n, packable);
 * if (enc.decimal()) enc.writeDecimalHeader(out);
 * for (int i = 0; i < n; i++) enc.writeValue(bits, values, i);
 * }</pre>
 */
final class ValueEncoding {
  private static final double TWO_53 = 9007199254740992.0;

  private long[] ms = new long[256];
  private final BitWriter probe = new BitWriter(64);
  private final XorColumn xor = new XorColumn();
  private boolean decimal;
  private boolean packed;
  private int scale;
  private int riceK;
  private int width;
  private long base;

  /** Chooses the smaller encoding for {@code v[0..n)}, Rice-coded if decimal; see the three-argument form. */
  void choose(double[] v, int n) {
    choose(v, n, false);
  }

  /**
   * Chooses the encoding for {@code v[0..n)}; the {@code write*} methods then follow that choice. With
   * {@code packable} (the caller stores nothing else in the value bits, so value i sits at a computable offset),
   * decimal deltas may be packed at a fixed width: that decodes about twice as fast as Rice codes, whose
   * unary quotients must be read one after another, so it is taken when it costs at most half again the bits of
   * the smallest form.
   */
  void choose(double[] v, int n, boolean packable) {
    if (ms.length < n) {
      ms = new long[n];
    }
    // Value bits under XOR, measured by encoding them (cheap: one chunk).
    probe.reset();
    xor.writeFirst(probe, v[0]);
    for (int i = 1; i < n; i++) {
      xor.write(probe, v[i]);
    }
    long xorBits = probe.bitLength();
    scale = decimalScale(v, n);
    long decBits = Long.MAX_VALUE;
    if (scale >= 0) {
      double p = ChunkFormat.POW10[scale];
      for (int i = 0; i < n; i++) {
        ms[i] = Math.round(v[i] * p);
      }
      riceK = bestRiceK(ms, n);
      decBits = 8L * 12; // header: scale, k, m0 varint (about)
      for (int i = 1; i < n; i++) {
        decBits += Codec.riceBits(Codec.zigzag(ms[i] - ms[i - 1]), riceK);
      }
    }
    decimal = decBits < xorBits;
    packed = false;
    if (packable && scale >= 0 && n > 1) {
      long packedBits = packedBits(n);
      long smallest = Math.min(decBits, xorBits);
      if (packedBits <= smallest + smallest / 2) {
        decimal = true;
        packed = true;
      }
    }
  }

  /** Sets {@link #width} and {@link #base} for {@code ms[0..n)}; returns the packed bits, MAX_VALUE if too wide. */
  private long packedBits(int n) {
    long lo = Long.MAX_VALUE;
    long hi = Long.MIN_VALUE;
    for (int i = 1; i < n; i++) {
      long d = ms[i] - ms[i - 1]; // |m| < 2^53: no overflow
      lo = Math.min(lo, d);
      hi = Math.max(hi, d);
    }
    width = 64 - Long.numberOfLeadingZeros(hi - lo);
    base = lo;
    if (width > ChunkFormat.MAX_PACKED_WIDTH) {
      return Long.MAX_VALUE;
    }
    return 8L * 14 + (long) (n - 1) * width; // header: scale, width, m0 and base varints (about)
  }

  boolean decimal() {
    return decimal;
  }

  /** Decimal with packed deltas; only when {@link #choose(double[], int, boolean)} was allowed to. */
  boolean packed() {
    return packed;
  }

  /**
   * What a decimal column needs besides its bits: {@code u8 scale, u8 riceK, varint m0}, or when packed
   * {@code u8 scale, u8 width, varint m0, varint base}.
   */
  void writeDecimalHeader(ByteSink out) {
    if (packed) {
      out.u8(scale).u8(width).varint(ms[0]).varint(base);
    } else {
      out.u8(scale).u8(riceK).varint(ms[0]);
    }
  }

  /** Writes value {@code i}; values must be written in order, from 0. The decimal form has no bits for value 0. */
  void writeValue(BitWriter bits, double[] v, int i) {
    if (packed) {
      if (i > 0 && width > 0) {
        bits.writeBits(ms[i] - ms[i - 1] - base, width);
      }
    } else if (decimal) {
      if (i > 0) {
        Codec.writeRice(bits, Codec.zigzag(ms[i] - ms[i - 1]), riceK);
      }
    } else if (i == 0) {
      xor.writeFirst(bits, v[0]);
    } else {
      xor.write(bits, v[i]);
    }
  }

  /** The smallest s in 0..9 such that every value is exactly m / 10^s for an integer |m| &lt; 2^53; else -1. */
  static int decimalScale(double[] v, int n) {
    for (int s = 0; s < ChunkFormat.POW10.length; s++) {
      double p = ChunkFormat.POW10[s];
      boolean ok = true;
      for (int i = 0; i < n && ok; i++) {
        double scaled = v[i] * p;
        // NaN and infinities fail the range test; -0.0 fails the bit comparison (0 / p is +0.0).
        if (!(Math.abs(scaled) < TWO_53)) {
          return -1;
        }
        long m = Math.round(scaled);
        ok = Double.doubleToRawLongBits(m / p) == Double.doubleToRawLongBits(v[i]);
      }
      if (ok) {
        return s;
      }
    }
    return -1;
  }

  /** Rice parameter minimizing the chunk's bits; tries a few around log2 of the mean zig-zag delta. */
  private static int bestRiceK(long[] m, int n) {
    if (n < 2) {
      return 0;
    }
    long sum = 0;
    for (int i = 1; i < n; i++) {
      long z = Codec.zigzag(m[i] - m[i - 1]);
      sum += Math.min(z, Long.MAX_VALUE / n);
    }
    long mean = sum / (n - 1);
    int center = mean == 0 ? 0 : 63 - Long.numberOfLeadingZeros(mean);
    int best = 0;
    long bestBits = Long.MAX_VALUE;
    for (int k = Math.max(0, center - 3); k <= Math.min(62, center + 1); k++) {
      long b = 0;
      for (int i = 1; i < n; i++) {
        b += Codec.riceBits(Codec.zigzag(m[i] - m[i - 1]), k);
      }
      if (b < bestBits) {
        bestBits = b;
        best = k;
      }
    }
    return best;
  }
}
