package io.acceltel.aggregator.storage.chunk;

import java.nio.charset.StandardCharsets;

/**
 * Reads what {@link ByteSink} wrote: a cursor over a byte array. Reusable through {@link #reset}.
 *
 * <pre>{@code
 * ByteSource in = new ByteSource(bytes);
 * long n = in.uvarint();
 * }</pre>
 */
public final class ByteSource {
  private byte[] buf;
  private int pos;
  private int end;

  public ByteSource() {
  }

  public ByteSource(byte[] buf) {
    reset(buf, 0, buf.length);
  }

  public void reset(byte[] b, int offset, int end) {
    this.buf = b;
    this.pos = offset;
    this.end = end;
  }

  public int position() {
    return pos;
  }

  public boolean hasRemaining() {
    return pos < end;
  }

  public int u8() {
    check(1);
    return buf[pos++] & 0xff;
  }

  public long uvarint() {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      check(1);
      byte b = buf[pos++];
      v |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return v;
      }
    }
    throw new CorruptChunkException("varint longer than 10 bytes at " + pos);
  }

  public long varint() {
    long u = uvarint();
    return (u >>> 1) ^ -(u & 1);
  }

  public int uvarintInt() {
    long v = uvarint();
    if (v < 0 || v > Integer.MAX_VALUE) {
      throw new CorruptChunkException("length " + v + " out of range at " + pos);
    }
    return (int) v;
  }

  public long i64() {
    check(8);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (buf[pos++] & 0xff);
    }
    return v;
  }

  public byte[] bytes(int n) {
    check(n);
    byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + n);
    pos += n;
    return out;
  }

  public String string() {
    int n = uvarintInt();
    check(n);
    String s = new String(buf, pos, n, StandardCharsets.UTF_8);
    pos += n;
    return s;
  }

  private void check(int n) {
    if (n < 0 || pos + n > end) {
      throw new CorruptChunkException("truncated data: need " + n + " bytes at " + pos + ", have " + (end - pos));
    }
  }
}
