package io.acceltel.aggregator.storage.chunk;

import java.util.Arrays;

/**
 * Appends bits, most significant first, into a growable {@code long[]}. The word array is the head chunk's live
 * buffer: a concurrent reader may copy it while the writer appends, which is safe because bits, once written, never
 * change (new bits are only OR-ed into positions past {@link #bitLength()}), and readers only decode the samples
 * whose count was published after their bits (see {@link XorAppender}).
 *
 * <pre>{@code
 * BitWriter w = new BitWriter(4);
 * w.writeBits(0b101, 3);
 * byte[] out = w.toBytes();   // [0b1010_0000]
 * }</pre>
 */
public final class BitWriter {
  private long[] words;
  private int bitPos;

  public BitWriter(int initialWords) {
    words = new long[Math.max(1, initialWords)];
  }

  /** Writes the low {@code n} bits of {@code value}, 1 &lt;= n &lt;= 64. */
  public void writeBits(long value, int n) {
    long v = n == 64 ? value : value & ((1L << n) - 1);
    int idx = bitPos >>> 6;
    int free = 64 - (bitPos & 63);
    if (idx + 1 >= words.length) {
      grow(idx + 2);
    }
    long[] w = words;
    if (n <= free) {
      // free - n in [0, 63]: no shift-by-64 surprise.
      w[idx] |= v << (free - n);
    } else {
      int rest = n - free;
      w[idx] |= v >>> rest;
      w[idx + 1] = v << (64 - rest);
    }
    bitPos += n;
  }

  public void writeBit(boolean bit) {
    if (bit) {
      writeBits(1, 1);
    } else {
      int idx = bitPos >>> 6;
      if (idx + 1 >= words.length) {
        grow(idx + 2);
      }
      bitPos++;
    }
  }

  private void grow(int minWords) {
    // Grow by half: head chunks end near 120 samples, so doubling would waste a third of the space on average.
    int n = Math.max(minWords, words.length + (words.length >> 1) + 1);
    // The new array is published by the plain field write; readers reach it only after a later volatile store
    // of the sample count, and the old array stays valid for everything it already held.
    words = Arrays.copyOf(words, n);
  }

  public int bitLength() {
    return bitPos;
  }

  public long[] words() {
    return words;
  }

  /** Releases spare capacity once no more bits will be written. */
  public void trim() {
    int need = (bitPos + 63) >>> 6;
    if (need + 1 < words.length) {
      words = Arrays.copyOf(words, Math.max(1, need));
    }
  }

  /** The bits written so far as bytes, zero-padded to a byte boundary. */
  public byte[] toBytes() {
    byte[] out = new byte[(bitPos + 7) >>> 3];
    copyBytes(words, bitPos, out, 0);
    return out;
  }

  /** Copies {@code bits} bits of big-endian words into {@code out} at {@code off}, returns the bytes written. */
  public static int copyBytes(long[] words, int bits, byte[] out, int off) {
    int nbytes = (bits + 7) >>> 3;
    for (int i = 0; i < nbytes; i++) {
      out[off + i] = (byte) (words[i >>> 3] >>> (56 - ((i & 7) << 3)));
    }
    return nbytes;
  }

  /** Forgets all bits, keeping the buffer. */
  public void reset() {
    Arrays.fill(words, 0L);
    bitPos = 0;
  }
}
