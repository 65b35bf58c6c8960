package io.acceltel.aggregator.storage.chunk;

/**
 * Reads bits, most significant first, from a byte range. Reusable: {@link #reset} points it at new bytes, so a
 * query decodes any number of chunks with one reader and no allocation per sample.
 *
 * <pre>{@code
 * BitReader r = new BitReader();
 * r.reset(bytes, 0, bytes.length);
 * long three = r.readBits(3);
 * }</pre>
 */
public final class BitReader {
  private byte[] data;
  private int pos;
  private int end;
  /** Up to 64 unread bits, left-aligned. */
  private long buf;
  private int avail;

  public void reset(byte[] data, int offset, int end) {
    this.data = data;
    this.pos = offset;
    this.end = end;
    this.buf = 0;
    this.avail = 0;
  }

  private void refill() {
    while (avail <= 56 && pos < end) {
      buf |= (long) (data[pos++] & 0xff) << (56 - avail);
      avail += 8;
    }
  }

  /** Reads {@code n} bits, 1 &lt;= n &lt;= 64, as an unsigned value. */
  public long readBits(int n) {
    if (n > 56) {
      long hi = readBits(n - 32);
      return (hi << 32) | readBits(32);
    }
    if (avail < n) {
      refill();
      if (avail < n) {
        throw new CorruptChunkException("chunk ends after " + ((pos << 3) - avail) + " bits; wanted " + n + " more");
      }
    }
    long r = buf >>> (64 - n);
    buf <<= n;
    avail -= n;
    return r;
  }

  public boolean readBit() {
    if (avail == 0) {
      refill();
      if (avail == 0) {
        throw new CorruptChunkException("chunk ends early");
      }
    }
    boolean bit = buf < 0;
    buf <<= 1;
    avail--;
    return bit;
  }

  /** Counts leading one bits up to {@code max}, consuming them and the terminating zero when found before max. */
  public int readUnary(int max) {
    int q = 0;
    while (q < max && readBit()) {
      q++;
    }
    return q;
  }
}
