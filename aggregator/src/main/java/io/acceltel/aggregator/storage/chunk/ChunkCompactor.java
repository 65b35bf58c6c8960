package io.acceltel.aggregator.storage.chunk;

/**
 * Seals a full head chunk into its most compact form. The open chunk is always Gorilla (dod + XOR) because that
 * encoder is streaming; once a chunk is full all its samples are known, so the compactor re-encodes it:
 * <ul>
 *   <li>timestamps: when every delta is equal (aligned 1 s ticks, the common case) they are stored once in the
 *   header and cost no bit per sample, otherwise dod bits as in the open chunk;</li>
 *   <li>values: when every value is a finite decimal with at most 9 fraction digits, exactly ({@code m / 10^s}
 *   reproduces the double bit for bit), deltas of {@code m} are Rice-coded with the best parameter for the chunk;
 *   otherwise, or when XOR is smaller, the XOR bits are kept. GPU telemetry (percentages, degrees, MHz, watts
 *   from milliwatts) is almost all decimal: power noise of a few watts costs ~14 bits instead of ~50.</li>
 * </ul>
 * One compactor per writer thread; it reuses its scratch arrays, so sealing allocates only the result.
 *
 * <pre>{@code
 * ChunkCompactor compactor = new ChunkCompactor();
 * Chunk sealed = compactor.seal(openChunk);
 * }</pre>
 */
public final class ChunkCompactor {
  private static final double TWO_53 = 9007199254740992.0;

  private long[] ts = new long[256];
  private double[] vs = new double[256];
  private long[] ms = new long[256];
  private final ChunkIterator it = new ChunkIterator();
  private final BitWriter bits = new BitWriter(64);
  private final ByteSink out = new ByteSink(256);
  private final XorColumn xor = new XorColumn();

  /** Re-encodes the head chunk's samples. Writer thread only. */
  public Chunk seal(XorAppender open) {
    Chunk plain = open.writerSnapshot();
    return compact(plain);
  }

  /** Re-encodes any sample chunk in its most compact form (idempotent). */
  public Chunk compact(Chunk chunk) {
    int n = chunk.count();
    if (ts.length < n) {
      ts = new long[n];
      vs = new double[n];
      ms = new long[n];
    }
    it.reset(chunk);
    for (int i = 0; it.next(); i++) {
      ts[i] = it.timestamp();
      vs[i] = it.value();
    }
    return encode(ts, vs, n);
  }

  /** Encodes samples (timestamps strictly increasing) in the most compact form. */
  public Chunk encode(long[] t, double[] v, int n) {
    if (n == 0) {
      throw new IllegalArgumentException("a chunk needs at least one sample");
    }
    boolean regular = n > 1;
    long delta = n > 1 ? t[1] - t[0] : 0;
    for (int i = 2; i < n && regular; i++) {
      regular = t[i] - t[i - 1] == delta;
    }
    int scale = decimalScale(v, n);

    // Value bits under XOR, measured by encoding them (cheap: one chunk).
    bits.reset();
    xor.writeFirst(bits, v[0]);
    for (int i = 1; i < n; i++) {
      xor.write(bits, v[i]);
    }
    long xorBits = bits.bitLength();
    int riceK = -1;
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
    boolean decimal = decBits < xorBits;

    out.clear();
    out.u8((regular ? ChunkFormat.TS_REGULAR : 0) | (decimal ? ChunkFormat.VAL_DECIMAL : 0));
    out.uvarint(n).varint(t[0]);
    if (regular) {
      out.uvarint(delta);
    }
    if (decimal) {
      out.u8(scale).u8(riceK).varint(ms[0]);
    }
    bits.reset();
    long prevDelta = 0;
    for (int i = 0; i < n; i++) {
      if (i > 0 && !regular) {
        long d = t[i] - t[i - 1];
        Codec.writeDod(bits, d - prevDelta);
        prevDelta = d;
      }
      if (decimal) {
        if (i > 0) {
          Codec.writeRice(bits, Codec.zigzag(ms[i] - ms[i - 1]), riceK);
        }
      } else if (i == 0) {
        xor.writeFirst(bits, v[0]);
      } else {
        xor.write(bits, v[i]);
      }
    }
    out.bits(bits.words(), bits.bitLength());
    return new Chunk(t[0], t[n - 1], n, out.toArray());
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
