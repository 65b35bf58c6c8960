package io.acceltel.aggregator.storage.chunk;

/**
 * Decodes a sample chunk one sample at a time, with no allocation per sample; {@link #reset} re-points it at
 * another chunk, so one iterator serves a whole query.
 *
 * <pre>{@code
 * ChunkIterator it = new ChunkIterator();
 * for (Chunk c : chunks) {
 *   it.reset(c);
 *   while (it.next()) { sum += it.value(); }
 * }
 * }</pre>
 */
public final class ChunkIterator {
  private final BitReader bits = new BitReader();
  private final ByteSource header = new ByteSource();
  private final XorColumn.Reader xor = new XorColumn.Reader();
  private boolean regular;
  private boolean decimal;
  private int count;
  private int index;
  private long t;
  private long delta;
  private double v;
  // decimal state
  private double scale;
  private int riceK;
  private long m;

  public void reset(Chunk chunk) {
    reset(chunk.data());
  }

  public void reset(byte[] data) {
    header.reset(data, 0, data.length);
    int flags = header.u8();
    regular = (flags & ChunkFormat.TS_REGULAR) != 0;
    decimal = (flags & ChunkFormat.VAL_DECIMAL) != 0;
    count = header.uvarintInt();
    t = header.varint();
    delta = 0;
    if (regular && count > 1) {
      delta = header.uvarint();
    }
    if (decimal) {
      scale = ChunkFormat.readScale(header);
      riceK = header.u8();
      m = header.varint();
    }
    bits.reset(data, header.position(), data.length);
    index = 0;
  }

  /** Advances to the next sample; false at the end of the chunk. */
  public boolean next() {
    if (index >= count) {
      return false;
    }
    if (index == 0) {
      v = decimal ? m / scale : xor.readFirst(bits);
    } else {
      if (regular) {
        t += delta;
      } else {
        delta += Codec.readDod(bits);
        t += delta;
      }
      if (decimal) {
        m += Codec.unzigzag(bits.readRice(riceK));
        v = m / scale;
      } else {
        v = xor.read(bits);
      }
    }
    index++;
    return true;
  }

  /**
   * Advances to the first sample at or after {@code t}; false when none is left. Chunks are short (about 120
   * samples), so this scans rather than indexing.
   */
  public boolean seek(long target) {
    if (index > 0 && this.t >= target) {
      return true;
    }
    while (next()) {
      if (this.t >= target) {
        return true;
      }
    }
    return false;
  }

  public long timestamp() {
    return t;
  }

  public double value() {
    return v;
  }

  public int count() {
    return count;
  }

  /**
   * Decodes the whole chunk just {@link #reset} into {@code t} and {@code v} from {@code at}, keeping only samples
   * in {@code [mint, maxt]}; returns how many were written. The same samples as {@link #next}, with the format's
   * branches taken once per chunk instead of once per sample: queries decode whole chunks this way.
   */
  public int decodeInto(long[] t, double[] v, int at, long mint, long maxt) {
    int n = at;
    long ts = this.t;
    long d = delta;
    if (decimal) {
      long mm = m;
      double sc = scale;
      int k = riceK;
      for (int i = index; i < count; i++) {
        if (i > 0) {
          d += regular ? 0 : Codec.readDod(bits);
          ts += d;
          mm += Codec.unzigzag(bits.readRice(k));
        }
        if (ts >= mint && ts <= maxt) {
          t[n] = ts;
          v[n++] = mm / sc;
        }
      }
      m = mm;
    } else {
      for (int i = index; i < count; i++) {
        double x;
        if (i == 0) {
          x = xor.readFirst(bits);
        } else {
          d += regular ? 0 : Codec.readDod(bits);
          ts += d;
          x = xor.read(bits);
        }
        if (ts >= mint && ts <= maxt) {
          t[n] = ts;
          v[n++] = x;
        }
      }
    }
    this.t = ts;
    delta = d;
    index = count;
    return n - at;
  }
}
