package io.acceltel.aggregator.storage.chunk;

/** Flag bits of the first byte of a sample or tier chunk; see {@code docs/storage-format.md}. */
final class ChunkFormat {
  private ChunkFormat() {
  }

  /** All timestamp deltas are equal: stored once in the header, no per-sample timestamp bits. */
  static final int TS_REGULAR = 1;
  /** Values are decimal fixed-point (v = m / 10^scale), Rice-coded deltas of m; otherwise Gorilla XOR. */
  static final int VAL_DECIMAL = 2;
  /**
   * Values are decimal fixed-point with each delta of m stored as {@code width} bits above the chunk's smallest
   * delta; only with TS_REGULAR, so value i's bits start at bit {@code (i - 1) * width} of the stream.
   */
  static final int VAL_PACKED = 4;
  /** Packed deltas are read with one 8-byte load at any bit offset, which leaves 57 bits: keep a margin. */
  static final int MAX_PACKED_WIDTH = 56;

  /** First byte of a columnar tier chunk (a sealed one); 0 is the appender's interleaved form. */
  static final int TIER_COLUMNS = 1;
  /** Column encodings in a columnar tier chunk. */
  static final int COLUMN_XOR = 0;
  static final int COLUMN_DECIMAL = 1;
  static final int TIMES_DOD = 0;
  static final int TIMES_REGULAR = 1;

  static final double[] POW10 = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

  /** Reads a decimal header's scale byte ({@code v = m / 10^scale}) and returns its converter. */
  static DecimalValue readScale(ByteSource header) {
    int s = header.u8();
    if (s >= POW10.length) {
      throw new CorruptChunkException("decimal scale " + s + " out of range");
    }
    return DecimalValue.ofScale(s);
  }

  /**
   * A chunk as an appender holds it: flags 0, the sample count, the first timestamp, then the appender's bits.
   * {@code bitLen} is clamped to the words given, because a reader on another thread may see a longer length
   * than the word array it read.
   */
  static byte[] plain(int count, long firstTime, long[] words, int bitLen) {
    bitLen = Math.min(bitLen, words.length << 6);
    ByteSink out = new ByteSink(16 + ((bitLen + 7) >>> 3));
    out.u8(0).uvarint(count).varint(firstTime);
    out.bits(words, bitLen);
    return out.toArray();
  }
}
