package io.acceltel.aggregator.storage.chunk;

/**
 * Decodes a tier chunk written by {@link AggrAppender}, one window point at a time, with no allocation per point.
 *
 * <pre>{@code
 * AggrIterator it = new AggrIterator();
 * it.reset(chunk);
 * while (it.next()) { maxOfMax = Math.max(maxOfMax, it.max()); }
 * }</pre>
 */
public final class AggrIterator {
  private final BitReader bits = new BitReader();
  private final ByteSource header = new ByteSource();
  private final XorColumn.Reader sum = new XorColumn.Reader();
  private final XorColumn.Reader min = new XorColumn.Reader();
  private final XorColumn.Reader max = new XorColumn.Reader();
  private final XorColumn.Reader last = new XorColumn.Reader();
  private final XorColumn.Reader counter = new XorColumn.Reader();
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

  public void reset(Chunk chunk) {
    reset(chunk.data());
  }

  public void reset(byte[] data) {
    header.reset(data, 0, data.length);
    int flags = header.u8();
    if (flags != 0) {
      throw new CorruptChunkException("unknown tier chunk flags " + flags);
    }
    count = header.uvarintInt();
    t = header.varint();
    delta = 0;
    index = 0;
    bits.reset(data, header.position(), data.length);
  }

  public boolean next() {
    if (index >= count) {
      return false;
    }
    if (index == 0) {
      n = bits.readBits(32);
      s = sum.readFirst(bits);
      mn = min.readFirst(bits);
      mx = max.readFirst(bits);
      l = last.readFirst(bits);
      c = counter.readFirst(bits);
    } else {
      delta += Codec.readDod(bits);
      t += delta;
      n += Codec.unzigzag(Codec.readRice(bits, 0));
      s = sum.read(bits);
      mn = min.read(bits);
      mx = max.read(bits);
      l = last.read(bits);
      c = counter.read(bits);
    }
    index++;
    return true;
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
