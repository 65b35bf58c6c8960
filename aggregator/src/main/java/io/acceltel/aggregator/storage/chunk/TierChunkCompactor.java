package io.acceltel.aggregator.storage.chunk;

/**
 * Seals a full tier chunk into columns. The open tier chunk interleaves a window's timestamp and its six
 * aggregates in one bit stream because that encoder is streaming; a query, though, reads one or two of the
 * aggregates (the last value, the counter, or sum and count), and in the interleaved form it must decode all six
 * to reach them. The sealed form stores the timestamps and each aggregate as its own column, each in the smaller
 * of XOR and decimal ({@link ValueEncoding}), so a reader decodes only the columns it needs
 * ({@link AggrIterator#decodeInto}). Layout in {@code docs/storage-format.md}.
 *
 * <pre>{@code
 * Chunk sealed = new TierChunkCompactor().compact(appender.writerSnapshot());
 * }</pre>
 */
public final class TierChunkCompactor {
  private final AggrIterator it = new AggrIterator();
  private final ValueEncoding values = new ValueEncoding();
  private final BitWriter bits = new BitWriter(64);
  private final ByteSink out = new ByteSink(256);
  private long[] t = new long[128];
  private final double[][] columns = new double[AggrIterator.COLUMNS][128];

  /** Re-encodes a tier chunk (of either form) as columns. */
  public Chunk compact(Chunk chunk) {
    int n = chunk.count();
    if (t.length < n) {
      t = new long[n];
      for (int c = 0; c < AggrIterator.COLUMNS; c++) {
        columns[c] = new double[n];
      }
    }
    it.reset(chunk);
    for (int i = 0; it.next(); i++) {
      t[i] = it.timestamp();
      columns[AggrIterator.COUNT][i] = it.count();
      columns[AggrIterator.SUM][i] = it.sum();
      columns[AggrIterator.MIN][i] = it.min();
      columns[AggrIterator.MAX][i] = it.max();
      columns[AggrIterator.LAST][i] = it.last();
      columns[AggrIterator.COUNTER][i] = it.counter();
    }
    out.clear();
    out.u8(ChunkFormat.TIER_COLUMNS).uvarint(n).varint(t[0]);
    writeTimes(n);
    for (double[] column : columns) {
      writeValues(column, n);
    }
    return new Chunk(t[0], t[n - 1], n, out.toArray());
  }

  private void writeTimes(int n) {
    boolean regular = n > 1;
    long delta = n > 1 ? t[1] - t[0] : 0;
    for (int i = 2; i < n && regular; i++) {
      regular = t[i] - t[i - 1] == delta;
    }
    if (regular) {
      out.u8(ChunkFormat.TIMES_REGULAR).uvarint(delta);
      return;
    }
    bits.reset();
    long prevDelta = 0;
    for (int i = 1; i < n; i++) {
      long d = t[i] - t[i - 1];
      Codec.writeDod(bits, d - prevDelta);
      prevDelta = d;
    }
    out.u8(ChunkFormat.TIMES_DOD);
    writeBits();
  }

  private void writeValues(double[] v, int n) {
    values.choose(v, n);
    if (values.decimal()) {
      out.u8(ChunkFormat.COLUMN_DECIMAL);
      values.writeDecimalHeader(out);
    } else {
      out.u8(ChunkFormat.COLUMN_XOR);
    }
    bits.reset();
    for (int i = 0; i < n; i++) {
      values.writeValue(bits, v, i);
    }
    writeBits();
  }

  /** The column's bits with their byte length first, so a reader can skip the column. */
  private void writeBits() {
    out.uvarint((bits.bitLength() + 7) >>> 3).bits(bits.words(), bits.bitLength());
  }
}
