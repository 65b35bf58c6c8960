package io.acceltel.aggregator.storage.chunk;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

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
  /** Eight bytes at a time: decoding is the query path's inner loop, and byte-wise refills dominated it. */
  private static final VarHandle BIG_ENDIAN_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private byte[] data;
  private int pos;
  private int end;
  /**
   * Unread bits, left-aligned; {@code avail} of them are counted. Bits below those may already hold the following
   * stream bits (a word refill loads whole words but counts whole bytes only); refills OR the same bits in again.
   */
  private long buf;
  private int avail;

  public void reset(byte[] data, int offset, int end) {
    this.data = data;
    this.pos = offset;
    this.end = end;
    this.buf = 0;
    this.avail = 0;
  }

  /** Tops the buffer up to at least 57 bits, or to what is left of the data. */
  private void refill() {
    if (pos + 8 <= end) {
      long word = (long) BIG_ENDIAN_LONG.get(data, pos);
      buf |= word >>> avail; // avail <= 56 here: callers refill only below 57 bits
      int bytes = (63 - avail) >>> 3;
      pos += bytes;
      avail += bytes << 3;
      return;
    }
    while (avail <= 56 && pos < end) {
      buf |= (long) (data[pos++] & 0xff) << (56 - avail);
      avail += 8;
    }
  }

  private void need(int n) {
    refill();
    if (avail < n) {
      throw new CorruptChunkException("chunk ends after " + ((pos << 3) - avail) + " bits; wanted " + n + " more");
    }
  }

  /** Reads {@code n} bits, 1 &lt;= n &lt;= 64, as an unsigned value. */
  public long readBits(int n) {
    if (n > 56) {
      long hi = readBits(n - 32);
      return (hi << 32) | readBits(32);
    }
    if (avail < n) {
      need(n);
    }
    long r = buf >>> (64 - n);
    buf <<= n;
    avail -= n;
    return r;
  }

  public boolean readBit() {
    if (avail == 0) {
      need(1);
    }
    boolean bit = buf < 0;
    buf <<= 1;
    avail--;
    return bit;
  }

  /** Drops {@code n <= avail} buffered bits; Java's shift by 64 would drop none. */
  private void skip(int n) {
    buf = n == 64 ? 0 : buf << n;
    avail -= n;
  }

  /**
   * Reads a Rice(k) code as {@link Codec#writeRice} writes it. The common case (a short quotient, everything
   * already buffered) takes one refill check, one count of leading ones and two shifts; the rest falls back to
   * the general readers.
   */
  public long readRice(int k) {
    if (avail < 57) {
      refill();
    }
    int q = Long.numberOfLeadingZeros(~buf);
    int len = q + 1 + k;
    if (q < Codec.RICE_ESCAPE && len <= avail) {
      long rest = buf << (q + 1);
      long low = k == 0 ? 0 : rest >>> (64 - k);
      buf = len == 64 ? 0 : buf << len;
      avail -= len;
      return ((long) q << k) | low;
    }
    int quotient = readUnary(Codec.RICE_ESCAPE);
    if (quotient == Codec.RICE_ESCAPE) {
      return readBits(64);
    }
    return k == 0 ? quotient : ((long) quotient << k) | readBits(k);
  }

  /**
   * Consumes zero bits up to {@code max} of them, stopping before the first one bit, and returns how many: a run of
   * unchanged values in an XOR column. Stops early, without an error, where the data ends; the next read reports it.
   */
  public int readZeroRun(int max) {
    int run = 0;
    while (run < max) {
      if (avail < 57) {
        refill();
        if (avail == 0) {
          return run;
        }
      }
      int buffered = avail;
      int zeros = Math.min(Long.numberOfLeadingZeros(buf), buffered);
      int take = Math.min(zeros, max - run);
      skip(take);
      run += take;
      if (zeros < buffered) {
        return run; // a one bit is next (or max came first)
      }
    }
    return run;
  }

  /** Counts leading one bits up to {@code max}, consuming them and the terminating zero when found before max. */
  public int readUnary(int max) {
    int q = 0;
    while (true) {
      if (avail == 0) {
        need(1);
      }
      int ones = Math.min(Long.numberOfLeadingZeros(~buf), avail);
      if (q + ones >= max) {
        skip(max - q);
        return max;
      }
      q += ones;
      if (ones < avail) {
        // The terminating zero is buffered: consume it too.
        skip(ones + 1);
        return q;
      }
      buf = 0;
      avail = 0;
    }
  }
}
