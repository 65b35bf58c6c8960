package io.acceltel.aggregator.storage.chunk;

/**
 * Bit-level codes shared by the chunk formats: delta-of-delta timestamps (Prometheus's millisecond buckets) and
 * Rice codes for zig-zag integers. See {@code docs/storage-format.md}.
 */
final class Codec {
  private Codec() {
  }

  static final int RICE_ESCAPE = 32;

  /**
   * Delta-of-delta: {@code 0}; {@code 10}+14 bits; {@code 110}+17; {@code 1110}+20; {@code 1111}+64, two's
   * complement payloads. At 1 s ticks aligned by the exporter almost every timestamp is the single 0 bit.
   */
  static void writeDod(BitWriter w, long dod) {
    if (dod == 0) {
      w.writeBit(false);
    } else if (fits(dod, 14)) {
      w.writeBits((0b10L << 14) | (dod & 0x3FFF), 16);
    } else if (fits(dod, 17)) {
      w.writeBits((0b110L << 17) | (dod & 0x1FFFF), 20);
    } else if (fits(dod, 20)) {
      w.writeBits((0b1110L << 20) | (dod & 0xFFFFF), 24);
    } else {
      w.writeBits(0b1111, 4);
      w.writeBits(dod, 64);
    }
  }

  static long readDod(BitReader r) {
    if (!r.readBit()) {
      return 0;
    }
    if (!r.readBit()) {
      return signExtend(r.readBits(14), 14);
    }
    if (!r.readBit()) {
      return signExtend(r.readBits(17), 17);
    }
    if (!r.readBit()) {
      return signExtend(r.readBits(20), 20);
    }
    return r.readBits(64);
  }

  static int dodBits(long dod) {
    if (dod == 0) {
      return 1;
    }
    return fits(dod, 14) ? 16 : fits(dod, 17) ? 20 : fits(dod, 20) ? 24 : 68;
  }

  private static boolean fits(long x, int n) {
    return x >= -(1L << (n - 1)) && x < (1L << (n - 1));
  }

  private static long signExtend(long x, int n) {
    return (x << (64 - n)) >> (64 - n);
  }

  static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  static long unzigzag(long u) {
    return (u >>> 1) ^ -(u & 1);
  }

  /** Rice code with parameter k: quotient in unary (escape after 32 ones, then the raw 64 bits), then k bits. */
  static void writeRice(BitWriter w, long z, int k) {
    long q = z >>> k;
    if (q >= 0 && q < RICE_ESCAPE) { // q < 0 is a quotient of 2^63 or more (k = 0): escaped like any long one
      int qi = (int) q;
      // qi ones then a zero, in one write: (2^qi - 1) << 1 has exactly that shape over qi + 1 bits.
      w.writeBits(((1L << qi) - 1) << 1, qi + 1);
      if (k > 0) {
        w.writeBits(z, k);
      }
    } else {
      w.writeBits(0xFFFFFFFFL, RICE_ESCAPE);
      w.writeBits(z, 64);
    }
  }

  static int riceBits(long z, int k) {
    long q = z >>> k;
    return q >= 0 && q < RICE_ESCAPE ? (int) q + 1 + k : RICE_ESCAPE + 64;
  }
}
