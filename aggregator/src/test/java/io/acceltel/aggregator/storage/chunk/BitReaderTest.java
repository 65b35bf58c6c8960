package io.acceltel.aggregator.storage.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The word-at-a-time reader against the writer: every width, unary runs across word edges, and truncation. */
class BitReaderTest {
  /** One written field: a fixed-width value, a single bit, or a unary run capped at 32 (as Rice codes use it). */
  private record Field(int kind, long value, int width) {}

  @Test
  void readsBackRandomMixesOfWidthsBitsAndUnaryRunsAtAnyOffset() {
    Random random = new Random(17);
    for (int round = 0; round < 500; round++) {
      int fields = 1 + random.nextInt(300);
      Field[] written = new Field[fields];
      BitWriter w = new BitWriter(4);
      for (int i = 0; i < fields; i++) {
        switch (random.nextInt(3)) {
          case 0 -> {
            int width = 1 + random.nextInt(64);
            long v = width == 64 ? random.nextLong() : random.nextLong() & ((1L << width) - 1);
            w.writeBits(v, width);
            written[i] = new Field(0, v, width);
          }
          case 1 -> {
            boolean bit = random.nextBoolean();
            w.writeBit(bit);
            written[i] = new Field(1, bit ? 1 : 0, 1);
          }
          default -> {
            // Long runs too, so that a run spans several refills and can end exactly at the cap.
            int ones = random.nextInt(4) == 0 ? 32 + random.nextInt(40) : random.nextInt(33);
            for (int k = 0; k < ones; k++) {
              w.writeBit(true);
            }
            if (ones < 32) {
              w.writeBit(false);
            }
            written[i] = new Field(2, Math.min(ones, 32), ones);
          }
        }
      }
      // Place the bytes at an offset inside a larger array, with junk around them, as block files do.
      byte[] bytes = w.toBytes();
      int offset = random.nextInt(9);
      byte[] data = new byte[offset + bytes.length + random.nextInt(9)];
      random.nextBytes(data);
      System.arraycopy(bytes, 0, data, offset, bytes.length);
      BitReader r = new BitReader();
      r.reset(data, offset, offset + bytes.length);
      for (int i = 0; i < fields; i++) {
        Field f = written[i];
        switch (f.kind()) {
          case 0 -> assertThat(r.readBits(f.width())).as("round %d field %d", round, i).isEqualTo(f.value());
          case 1 -> assertThat(r.readBit()).as("round %d field %d", round, i).isEqualTo(f.value() == 1);
          default -> {
            assertThat(r.readUnary(32)).as("round %d field %d", round, i).isEqualTo((int) f.value());
            // A run of 32 or more stops at the cap with no terminating zero; the ones beyond it are still unread.
            for (int k = 32; k < f.width(); k++) {
              assertThat(r.readBit()).isTrue();
            }
          }
        }
      }
    }
  }

  @Test
  void riceCodesReadBackForEveryParameterIncludingEscapesAndTheStreamsEnd() {
    Random random = new Random(23);
    for (int round = 0; round < 300; round++) {
      int k = random.nextInt(63);
      int n = 1 + random.nextInt(200);
      long[] z = new long[n];
      BitWriter w = new BitWriter(4);
      w.writeBits(random.nextLong(), random.nextInt(64) + 1); // a random offset before the codes
      for (int i = 0; i < n; i++) {
        // Mostly short quotients (the fast path), some at or past the escape, some huge values.
        long q = random.nextInt(10) == 0 ? Codec.RICE_ESCAPE - 2 + random.nextInt(5) : random.nextInt(4);
        long low = k == 0 ? 0 : random.nextLong() >>> (64 - k);
        z[i] = random.nextInt(50) == 0 ? random.nextLong() : (q << k) | low;
        if (q << k >>> k != q) {
          z[i] = low; // q << k overflowed: keep the code representable
        }
        Codec.writeRice(w, z[i], k);
      }
      byte[] bytes = w.toBytes();
      BitReader r = new BitReader();
      r.reset(bytes, 0, bytes.length);
      r.readBits(Math.max(1, w.bitLength() - totalRiceBits(z, k)));
      for (int i = 0; i < n; i++) {
        assertThat(r.readRice(k)).as("code %d with k=%d", i, k).isEqualTo(z[i]);
      }
    }
  }

  /** With k = 0 a code of 2^63 or more has a quotient Java reads as negative: it must escape, not wrap. */
  @Test
  void riceCodesOfTwoToTheSixtyThreeAndMoreEscape() {
    long[] z = {Long.MIN_VALUE, -1L, 0x8000_0000_0000_0001L, 3};
    BitWriter w = new BitWriter(4);
    for (long v : z) {
      Codec.writeRice(w, v, 0);
    }
    assertThat(w.bitLength()).isEqualTo(3 * (Codec.RICE_ESCAPE + 64) + 4);
    byte[] bytes = w.toBytes();
    BitReader r = new BitReader();
    r.reset(bytes, 0, bytes.length);
    for (long v : z) {
      assertThat(r.readRice(0)).isEqualTo(v);
    }
  }

  private static int totalRiceBits(long[] z, int k) {
    int bits = 0;
    for (long v : z) {
      bits += Codec.riceBits(v, k);
    }
    return bits;
  }

  @Test
  void aTruncatedStreamIsACorruptChunkNotGarbage() {
    BitWriter w = new BitWriter(2);
    w.writeBits(0x1234_5678_9abcL, 48);
    byte[] bytes = w.toBytes();
    BitReader r = new BitReader();
    r.reset(bytes, 0, 5); // 40 of the 48 bits
    assertThatThrownBy(() -> r.readBits(48)).isInstanceOf(CorruptChunkException.class)
        .hasMessageContaining("chunk ends");
    BitReader ones = new BitReader();
    ones.reset(new byte[] {(byte) 0xff, (byte) 0xff}, 0, 2);
    assertThatThrownBy(() -> ones.readUnary(32)).isInstanceOf(CorruptChunkException.class);
  }

  /** Runs of zeros (unchanged XOR values) across refills, read whole or in capped parts, up to the stream's end. */
  @Test
  void zeroRunsAreCountedAcrossRefillsUpToTheirCapAndTheStreamsEnd() {
    Random random = new Random(23);
    for (int round = 0; round < 300; round++) {
      BitWriter w = new BitWriter(4);
      int[] runs = new int[1 + random.nextInt(50)];
      long bits = 0;
      for (int i = 0; i < runs.length; i++) {
        runs[i] = random.nextInt(4) == 0 ? random.nextInt(300) : random.nextInt(10);
        for (int k = 0; k < runs[i]; k++) {
          w.writeBit(false);
        }
        w.writeBit(true);
        bits += runs[i] + 1;
      }
      int trailing = random.nextInt(20);
      for (int k = 0; k < trailing; k++) {
        w.writeBit(false);
      }
      bits += trailing;
      byte[] bytes = w.toBytes();
      BitReader r = new BitReader();
      r.reset(bytes, 0, bytes.length);
      for (int i = 0; i < runs.length; i++) {
        int cap = random.nextInt(runs[i] + 2);
        int first = r.readZeroRun(cap);
        assertThat(first).as("round %d run %d capped at %d", round, i, cap).isEqualTo(Math.min(cap, runs[i]));
        assertThat(r.readZeroRun(Integer.MAX_VALUE)).as("round %d rest of run %d", round, i)
            .isEqualTo(runs[i] - first);
        assertThat(r.readBit()).isTrue();
      }
      // The stream's end stops a run without an error: the zeros written, then the last byte's padding.
      assertThat(r.readZeroRun(Integer.MAX_VALUE)).isEqualTo(trailing + (8L * bytes.length - bits));
      assertThatThrownBy(r::readBit).isInstanceOf(CorruptChunkException.class);
    }
  }
}
