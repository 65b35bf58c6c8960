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
 *   from milliwatts) is almost all decimal: power noise of a few watts costs ~14 bits instead of ~50. With
 *   regular timestamps the deltas may instead be packed at a fixed width, which queries decode about twice as
 *   fast (see {@link ValueEncoding#choose(double[], int, boolean)}).</li>
 * </ul>
 * One compactor per writer thread; it reuses its scratch arrays, so sealing allocates only the result.
 *
 * <pre>{@code
 * ChunkCompactor compactor = new ChunkCompactor();
 * Chunk sealed = compactor.seal(openChunk);
 * }</pre>
 */
public final class ChunkCompactor {
  private long[] ts = new long[256];
  private double[] vs = new double[256];
  private final ChunkIterator it = new ChunkIterator();
  private final BitWriter bits = new BitWriter(64);
  private final ByteSink out = new ByteSink(256);
  private final ValueEncoding values = new ValueEncoding();

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
    values.choose(v, n, regular); // packed values need a stream without timestamp bits
    boolean decimal = values.decimal();
    int valueFlags = values.packed() ? ChunkFormat.VAL_PACKED : decimal ? ChunkFormat.VAL_DECIMAL : 0;

    out.clear();
    out.u8((regular ? ChunkFormat.TS_REGULAR : 0) | valueFlags);
    out.uvarint(n).varint(t[0]);
    if (regular) {
      out.uvarint(delta);
    }
    if (decimal) {
      values.writeDecimalHeader(out);
    }
    bits.reset();
    long prevDelta = 0;
    for (int i = 0; i < n; i++) {
      if (i > 0 && !regular) {
        long d = t[i] - t[i - 1];
        Codec.writeDod(bits, d - prevDelta);
        prevDelta = d;
      }
      values.writeValue(bits, v, i);
    }
    out.bits(bits.words(), bits.bitLength());
    return new Chunk(t[0], t[n - 1], n, out.toArray());
  }
}
