package io.acceltel.aggregator.storage.chunk;

import java.util.Arrays;

/**
 * A growable byte array with varint writers, for chunk headers, block indexes and checkpoints.
 *
 * <pre>{@code
 * ByteSink out = new ByteSink(64);
 * out.uvarint(120);
 * out.varint(-5);
 * byte[] bytes = out.toArray();
 * }</pre>
 */
public final class ByteSink {
  private byte[] buf;
  private int len;

  public ByteSink(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  private void ensure(int extra) {
    if (len + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(len + extra, buf.length * 2));
    }
  }

  public ByteSink u8(int b) {
    ensure(1);
    buf[len++] = (byte) b;
    return this;
  }

  public ByteSink uvarint(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[len++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[len++] = (byte) v;
    return this;
  }

  /** Zig-zag signed varint, as protobuf's sint64. */
  public ByteSink varint(long v) {
    return uvarint((v << 1) ^ (v >> 63));
  }

  public ByteSink i64(long v) {
    ensure(8);
    for (int i = 56; i >= 0; i -= 8) {
      buf[len++] = (byte) (v >>> i);
    }
    return this;
  }

  public ByteSink bytes(byte[] b, int off, int n) {
    ensure(n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
    return this;
  }

  public ByteSink string(String s) {
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    uvarint(b.length);
    return bytes(b, 0, b.length);
  }

  /** Appends the first {@code bits} bits of big-endian words, zero-padded to a byte. */
  public ByteSink bits(long[] words, int bits) {
    int n = (bits + 7) >>> 3;
    ensure(n);
    len += BitWriter.copyBytes(words, bits, buf, len);
    return this;
  }

  public int length() {
    return len;
  }

  public byte[] array() {
    return buf;
  }

  public byte[] toArray() {
    return Arrays.copyOf(buf, len);
  }

  public void clear() {
    len = 0;
  }
}
