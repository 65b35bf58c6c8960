package io.acceltel.aggregator.storage.chunk;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

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
  private static final VarHandle BIG_ENDIAN_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

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
  /** Whether a value decoded since {@link #reset} was NaN; only XOR values can be (stale markers are NaNs). */
  private boolean sawNaN;
  // decimal state
  private DecimalValue scale;
  private int riceK;
  private long m;
  // packed decimal state: value i's delta is base + the width bits at stream bit (i - 1) * width
  private boolean packed;
  private byte[] data;
  private int stream;
  private int width;
  private long base;

  public void reset(Chunk chunk) {
    reset(chunk.data());
  }

  public void reset(byte[] data) {
    header.reset(data, 0, data.length);
    int flags = header.u8();
    regular = (flags & ChunkFormat.TS_REGULAR) != 0;
    packed = (flags & ChunkFormat.VAL_PACKED) != 0;
    decimal = packed || (flags & ChunkFormat.VAL_DECIMAL) != 0;
    if (packed && !regular) {
      throw new CorruptChunkException("packed values without regular timestamps (flags " + flags + ")");
    }
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
    if (packed) {
      width = riceK;
      base = header.varint();
      long bitsNeeded = (long) (count - 1) * width;
      if (width > ChunkFormat.MAX_PACKED_WIDTH || header.position() + ((bitsNeeded + 7) >>> 3) > data.length
          || data.length < 8) {
        throw new CorruptChunkException("packed chunk of " + count + " values at width " + width + " needs "
            + bitsNeeded + " bits; it has " + 8L * (data.length - header.position()));
      }
    }
    this.data = data;
    stream = header.position();
    bits.reset(data, stream, data.length);
    index = 0;
    sawNaN = false;
  }

  /**
   * The {@code width} bits at bit {@code bit} of the stream starting at byte {@code stream} (0 when width is 0):
   * one load wherever they fall. Near the end it loads the array's last 8 bytes and shifts the wanted ones up, so
   * there is no branch per value; a packed chunk's header alone is 8 bytes or more.
   */
  private static long packedBits(byte[] d, int stream, long bit, int width) {
    int byteAt = stream + (int) (bit >>> 3);
    int loadAt = Math.min(byteAt, d.length - 8);
    long word = (long) BIG_ENDIAN_LONG.get(d, loadAt) << ((byteAt - loadAt) << 3);
    // width 0: a shift by 64 would keep the word, so mask it out
    return width == 0 ? 0 : (word << (bit & 7)) >>> (64 - width);
  }

  /** Advances to the next sample; false at the end of the chunk. */
  public boolean next() {
    if (index >= count) {
      return false;
    }
    if (index == 0) {
      v = decimal ? scale.value(m) : xor.readFirst(bits);
    } else {
      if (regular) {
        t += delta;
      } else {
        delta += Codec.readDod(bits);
        t += delta;
      }
      if (packed) {
        m += base + packedBits(data, stream, (long) (index - 1) * width, width);
        v = scale.value(m);
      } else if (decimal) {
        m += Codec.unzigzag(bits.readRice(riceK));
        v = scale.value(m);
      } else {
        v = xor.read(bits);
      }
    }
    sawNaN |= v != v;
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

  /**
   * Whether any value decoded since {@link #reset} was a NaN. Decimal chunks hold none, so a reader that must drop
   * stale markers (NaNs) can skip looking for them when this is false for every chunk it decoded.
   */
  public boolean decodedNaN() {
    return sawNaN;
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
    if (packed) {
      return decodePackedInto(t, v, at, mint, maxt);
    }
    if (!decimal && regular) {
      return decodeXorRegularInto(t, v, at, mint, maxt);
    }
    int n = at;
    long ts = this.t;
    long d = delta;
    if (decimal) {
      long mm = m;
      DecimalValue sc = scale;
      int k = riceK;
      for (int i = index; i < count; i++) {
        if (i > 0) {
          d += regular ? 0 : Codec.readDod(bits);
          ts += d;
          mm += Codec.unzigzag(bits.readRice(k));
        }
        if (ts >= mint && ts <= maxt) {
          t[n] = ts;
          v[n++] = sc.value(mm);
        }
      }
      m = mm;
    } else {
      for (int i = index; i < count; i++) {
        double x;
        if (i == 0) {
          x = xor.readFirst(bits);
        } else {
          d += Codec.readDod(bits);
          ts += d;
          x = xor.read(bits);
        }
        sawNaN |= x != x;
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

  /**
   * {@link #decodeInto} for XOR values at regular timestamps: an unchanged value is a single 0 bit with no
   * timestamp bits around it, so a run of them (a gauge that holds still: utilization at 100, an idle GPU's 0) is
   * counted in one go and written out without reading bit by bit.
   */
  private int decodeXorRegularInto(long[] t, double[] v, int at, long mint, long maxt) {
    long ts = this.t;
    long d = delta;
    int n = at;
    int i = index;
    boolean nan = sawNaN;
    if (i == 0 && count > 0) {
      double first = xor.readFirst(bits);
      nan |= first != first;
      if (ts >= mint && ts <= maxt) {
        t[n] = ts;
        v[n++] = first;
      }
      i = 1;
    }
    double x = xor.current();
    while (i < count) {
      int run = bits.readZeroRun(count - i);
      for (int end = i + run; i < end; i++) {
        ts += d;
        if (ts >= mint && ts <= maxt) {
          t[n] = ts;
          v[n++] = x;
        }
      }
      if (i < count) {
        ts += d;
        x = xor.read(bits);
        nan |= x != x;
        if (ts >= mint && ts <= maxt) {
          t[n] = ts;
          v[n++] = x;
        }
        i++;
      }
    }
    sawNaN = nan;
    this.t = ts;
    index = count;
    return n - at;
  }

  /**
   * {@link #decodeInto} for packed values: no value depends on where the previous one's bits ended, so the loop
   * is a load, two shifts and an add per sample.
   */
  private int decodePackedInto(long[] t, double[] v, int at, long mint, long maxt) {
    byte[] d = data;
    int w = width;
    long b = base;
    DecimalValue sc = scale;
    long mm = m;
    long ts = this.t;
    long dt = delta;
    int n = at;
    int i = index;
    if (i == 0 && count > 0) {
      if (ts >= mint && ts <= maxt) {
        t[n] = ts;
        v[n++] = sc.value(mm);
      }
      i = 1;
    }
    int from = stream;
    for (long bit = (long) (i - 1) * w; i < count; i++, bit += w) {
      mm += b + packedBits(d, from, bit, w);
      ts += dt;
      if (ts >= mint && ts <= maxt) {
        t[n] = ts;
        v[n++] = sc.value(mm);
      }
    }
    m = mm;
    this.t = ts;
    index = count;
    return n - at;
  }
}
