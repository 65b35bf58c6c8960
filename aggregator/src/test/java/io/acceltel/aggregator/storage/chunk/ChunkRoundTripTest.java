package io.acceltel.aggregator.storage.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkRoundTripTest {
  private static final double STALE = Double.longBitsToDouble(0x7ff0000000000002L);

  /** Appends to an open chunk, checks its concurrent-style snapshot, then the compacted form, bit-exactly. */
  private static void roundTrip(long[] t, double[] v) {
    XorAppender open = new XorAppender(t[0], v[0], 1);
    for (int i = 1; i < t.length; i++) {
      open.append(t[i], v[i]);
    }
    Chunk snap = open.snapshot();
    assertThat(snap.count()).isEqualTo(t.length);
    assertThat(snap.minTime()).isEqualTo(t[0]);
    assertThat(snap.maxTime()).isEqualTo(t[t.length - 1]);
    assertSame(snap, t, v);
    Chunk sealed = new ChunkCompactor().seal(open);
    assertThat(sealed.maxTime()).isEqualTo(t[t.length - 1]);
    assertSame(sealed, t, v);
    assertThat(sealed.data().length).isLessThanOrEqualTo(snap.data().length + 16);
    // Compacting a compacted chunk is idempotent.
    assertSame(new ChunkCompactor().compact(sealed), t, v);
  }

  private static void assertSame(Chunk c, long[] t, double[] v) {
    ChunkIterator it = new ChunkIterator();
    it.reset(c);
    for (int i = 0; i < t.length; i++) {
      assertThat(it.next()).as("sample %d", i).isTrue();
      assertThat(it.timestamp()).as("t[%d]", i).isEqualTo(t[i]);
      assertThat(Double.doubleToRawLongBits(it.value())).as("v[%d] = %s", i, v[i])
          .isEqualTo(Double.doubleToRawLongBits(v[i]));
    }
    assertThat(it.next()).isFalse();
    // Bulk decoding gives the same samples, whole and restricted to an inner time range.
    long[] bt = new long[t.length + 2];
    double[] bv = new double[t.length + 2];
    it.reset(c);
    assertThat(it.decodeInto(bt, bv, 1, Long.MIN_VALUE, Long.MAX_VALUE)).isEqualTo(t.length);
    for (int i = 0; i < t.length; i++) {
      assertThat(bt[i + 1]).as("bulk t[%d]", i).isEqualTo(t[i]);
      assertThat(Double.doubleToRawLongBits(bv[i + 1])).as("bulk v[%d]", i).isEqualTo(Double.doubleToRawLongBits(v[i]));
    }
    long mint = t[t.length / 3];
    long maxt = t[(2 * t.length) / 3];
    it.reset(c);
    int kept = it.decodeInto(bt, bv, 0, mint, maxt);
    int k = 0;
    for (int i = 0; i < t.length; i++) {
      if (t[i] >= mint && t[i] <= maxt) {
        assertThat(bt[k]).isEqualTo(t[i]);
        assertThat(Double.doubleToRawLongBits(bv[k++])).isEqualTo(Double.doubleToRawLongBits(v[i]));
      }
    }
    assertThat(kept).isEqualTo(k);
  }

  private static long[] regular(int n, long start, long step) {
    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      t[i] = start + i * step;
    }
    return t;
  }

  @Test
  void randomWalk() {
    Random rnd = new Random(1);
    for (int round = 0; round < 50; round++) {
      int n = 1 + rnd.nextInt(240);
      double[] v = new double[n];
      double x = rnd.nextDouble() * 1000;
      for (int i = 0; i < n; i++) {
        x += rnd.nextGaussian();
        v[i] = x;
      }
      roundTrip(regular(n, 1_700_000_000_000L, 1000), v);
    }
  }

  @Test
  void constantsAndSingleSample() {
    roundTrip(new long[] {42}, new double[] {3.5});
    roundTrip(regular(120, 0, 1000), new double[120]);
    double[] c = new double[120];
    java.util.Arrays.fill(c, 81559.0);
    roundTrip(regular(120, 1000, 1000), c);
    java.util.Arrays.fill(c, -0.0);
    roundTrip(regular(120, 1000, 1000), c);
  }

  @Test
  void decimalGauges() {
    Random rnd = new Random(2);
    double[] v = new double[120];
    for (int i = 0; i < v.length; i++) {
      v[i] = (690_000 + rnd.nextInt(8000)) / 1000.0; // watts from milliwatts
    }
    long[] t = regular(120, 1_700_000_000_000L, 1000);
    roundTrip(t, v);
    Chunk sealed = new ChunkCompactor().encode(t, v, v.length);
    assertThat(sealed.data()[0]).as("regular timestamps, decimal values with packed deltas")
        .isEqualTo((byte) (ChunkFormat.TS_REGULAR | ChunkFormat.VAL_PACKED));
    assertThat(sealed.data().length).isLessThan(120 * 2);
  }

  /**
   * A gauge that holds still between jumps (utilization at 100 with dips, then idle at 0), in values that are not
   * short decimals: sealed as XOR at regular timestamps, whose unchanged values are decoded a run at a time.
   */
  @Test
  void xorRunsOfUnchangedValues() {
    Random rnd = new Random(8);
    for (int round = 0; round < 40; round++) {
      int n = 2 + rnd.nextInt(240);
      double[] v = new double[n];
      double x = Math.PI;
      for (int i = 0; i < n; i++) {
        int r = rnd.nextInt(round % 2 == 0 ? 10 : 200); // short runs, then runs longer than a 64-bit word
        if (r == 0) {
          x = rnd.nextBoolean() ? Math.PI * rnd.nextInt(50) : rnd.nextDouble();
        }
        v[i] = x;
      }
      long[] t = regular(n, 1_700_000_000_000L, 1000);
      Chunk sealed = new ChunkCompactor().encode(t, v, n);
      assertThat(sealed.data()[0]).as("round %d: regular timestamps, XOR values", round)
          .isEqualTo((byte) ChunkFormat.TS_REGULAR);
      roundTrip(t, v);
      // Bulk decoding after some samples were read one at a time carries on from there.
      ChunkIterator it = new ChunkIterator();
      it.reset(sealed);
      int stepped = rnd.nextInt(n + 1);
      for (int i = 0; i < stepped; i++) {
        assertThat(it.next()).isTrue();
      }
      long[] bt = new long[n];
      double[] bv = new double[n];
      assertThat(it.decodeInto(bt, bv, 0, Long.MIN_VALUE, Long.MAX_VALUE)).isEqualTo(n - stepped);
      for (int i = stepped; i < n; i++) {
        assertThat(bt[i - stepped]).isEqualTo(t[i]);
        assertThat(Double.doubleToRawLongBits(bv[i - stepped])).as("round %d, v[%d] after %d stepped", round, i,
            stepped).isEqualTo(Double.doubleToRawLongBits(v[i]));
      }
    }
  }

  /** Stale markers are NaNs, which only XOR chunks hold: the decoder notes them, however it is driven. */
  @Test
  void theDecoderNotesNaNsSoStaleMarkersNeedNoSearchOfTheirOwn() {
    for (boolean regularTimes : new boolean[] {true, false}) {
      long[] t = regular(120, 1_700_000_000_000L, 1000);
      if (!regularTimes) {
        t[60] += 7;
      }
      double[] v = new double[120];
      for (int i = 0; i < v.length; i++) {
        v[i] = i / 10.0;
      }
      assertThat(decodedNaN(new ChunkCompactor().encode(t, v, v.length), false)).isFalse();
      v[77] = STALE;
      Chunk marked = new ChunkCompactor().encode(t, v, v.length);
      assertThat(decodedNaN(marked, false)).as("bulk, regular timestamps %s", regularTimes).isTrue();
      assertThat(decodedNaN(marked, true)).as("one at a time, regular timestamps %s", regularTimes).isTrue();
      v[77] = 7.7;
      v[0] = Double.NaN;
      assertThat(decodedNaN(new ChunkCompactor().encode(t, v, v.length), false)).as("first value").isTrue();
    }
  }

  private static boolean decodedNaN(Chunk c, boolean oneAtATime) {
    ChunkIterator it = new ChunkIterator();
    it.reset(c);
    if (oneAtATime) {
      while (it.next()) {
        continue;
      }
    } else {
      it.decodeInto(new long[c.count()], new double[c.count()], 0, Long.MIN_VALUE, Long.MAX_VALUE);
    }
    return it.decodedNaN();
  }

  @Test
  void packedDeltasRoundTripAtEveryWidthAndLength() {
    Random rnd = new Random(5);
    for (int width = 0; width <= 40; width++) {
      for (int n : new int[] {2, 3, 9, 64, 119, 120, 130}) {
        // Counter-like: every delta well above zero and within 2^width of the others, so packing is the
        // smallest form and every delta's bits (the last ones too, read from the array's end) are exercised.
        long base = 1L << (width + 1);
        double[] v = new double[n];
        long m = -(1L << 50);
        for (int i = 0; i < n; i++) {
          v[i] = m / 1000.0;
          m += base + (width == 0 ? 0 : rnd.nextLong() >>> (64 - width));
        }
        long[] t = regular(n, 1_700_000_000_000L, 1000);
        Chunk sealed = new ChunkCompactor().encode(t, v, n);
        assertThat(sealed.data()[0]).as("width %d, %d samples", width, n)
            .isEqualTo((byte) (ChunkFormat.TS_REGULAR | ChunkFormat.VAL_PACKED));
        roundTrip(t, v);
      }
    }
  }

  @Test
  void irregularTimestampsKeepRiceCodedDeltas() {
    double[] v = new double[120];
    long[] t = new long[120];
    for (int i = 0; i < v.length; i++) {
      v[i] = (690_000 + (i * 7919) % 8000) / 1000.0;
      t[i] = 1_000_000 + i * 1000L + (i % 3 == 0 ? 7 : 0);
    }
    assertThat(new ChunkCompactor().encode(t, v, v.length).data()[0]).isEqualTo((byte) ChunkFormat.VAL_DECIMAL);
    roundTrip(t, v);
  }

  @Test
  void aTruncatedOrMisflaggedPackedChunkIsReportedCorrupt() {
    double[] v = new double[120];
    for (int i = 0; i < v.length; i++) {
      v[i] = (690_000 + (i * 7919) % 8000) / 1000.0;
    }
    byte[] data = new ChunkCompactor().encode(regular(120, 0, 1000), v, v.length).data();
    byte[] cut = java.util.Arrays.copyOf(data, data.length - 2);
    assertThatThrownBy(() -> new ChunkIterator().reset(cut)).isInstanceOf(CorruptChunkException.class)
        .hasMessageContaining("needs");
    byte[] irregular = data.clone();
    irregular[0] = ChunkFormat.VAL_PACKED;
    assertThatThrownBy(() -> new ChunkIterator().reset(irregular)).isInstanceOf(CorruptChunkException.class)
        .hasMessageContaining("without regular timestamps");
  }

  @Test
  void countersWithResets() {
    double[] v = new double[200];
    double x = 1e12;
    for (int i = 0; i < v.length; i++) {
      x = i % 77 == 0 ? i : x + 123_456_789;
      v[i] = x;
    }
    roundTrip(regular(200, 5, 1000), v);
  }

  @Test
  void specialValuesRoundTripBitExactly() {
    double[] v = {1, Double.NaN, STALE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0,
        Double.MIN_VALUE, Double.MAX_VALUE, Double.longBitsToDouble(0x7ff8000000000001L), STALE, 7.25, STALE};
    roundTrip(regular(v.length, -10_000, 1000), v);
  }

  @Test
  void irregularTimestampsBigGapsNegativeDod() {
    Random rnd = new Random(3);
    List<Long> ts = new ArrayList<>();
    long t = -5_000_000L;
    long[] steps = {1000, 1003, 997, 1, 15_000, 1000, 8191, 8192, 8193, 131_073, 600_000, 86_400_000L * 400,
        1000, 2, 1_000_000_000_000L, 999};
    for (long s : steps) {
      t += s;
      ts.add(t);
    }
    for (int i = 0; i < 150; i++) {
      t += 1 + rnd.nextInt(3000);
      ts.add(t);
    }
    long[] arr = ts.stream().mapToLong(Long::longValue).toArray();
    double[] v = new double[arr.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = rnd.nextInt(100);
    }
    roundTrip(arr, v);
  }

  /** Irregular timestamps and noisy floats with NaNs (XOR columns), or aligned windows of decimals. */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aggrChunkRoundTrip(boolean decimalRegular) {
    AggrAppender a = new AggrAppender(1);
    Random rnd = new Random(4);
    int n = 130;
    double[][] f = new double[n][5];
    long[] counts = new long[n];
    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      t[i] = 9_000 + i * 10_000L + (!decimalRegular && i % 7 == 0 ? -3000 : 0);
      counts[i] = decimalRegular || i % 9 != 0 ? 10 : 3;
      for (int j = 0; j < 5; j++) {
        f[i][j] = decimalRegular ? (30_000 + rnd.nextInt(20_000)) / 100.0
            : i % 11 == 0 ? Double.NaN : rnd.nextGaussian() * 100;
      }
      a.append(t[i], counts[i], f[i][0], f[i][1], f[i][2], f[i][3], f[i][4]);
    }
    Chunk sealed = a.seal(new TierChunkCompactor());
    assertThat(sealed.data()[0]).as("sealed tier chunks are columnar").isEqualTo((byte) ChunkFormat.TIER_COLUMNS);
    assertThat(sealed.count()).isEqualTo(n);
    if (decimalRegular) {
      assertThat(sealed.data().length).as("decimal columns and regular times are smaller than interleaved XOR")
          .isLessThan(a.writerSnapshot().data().length * 2 / 3);
    }
    for (Chunk c : new Chunk[] {a.snapshot(), a.writerSnapshot(), sealed}) {
      AggrIterator it = new AggrIterator();
      it.reset(c);
      for (int i = 0; i < n; i++) {
        assertThat(it.next()).isTrue();
        assertThat(it.timestamp()).isEqualTo(t[i]);
        assertThat(it.count()).isEqualTo(counts[i]);
        double[] got = {it.sum(), it.min(), it.max(), it.last(), it.counter()};
        for (int j = 0; j < 5; j++) {
          assertThat(Double.doubleToRawLongBits(got[j])).isEqualTo(Double.doubleToRawLongBits(f[i][j]));
        }
      }
      assertThat(it.next()).isFalse();
      assertThat(c.maxTime()).isEqualTo(t[n - 1]);

      // Bulk decoding of all windows (straight into the result) and of a time range (through scratch), with a
      // subset of columns, appended after existing entries.
      long[] all = new long[n + 3];
      double[][] counters = new double[AggrIterator.COLUMNS][];
      counters[AggrIterator.COUNTER] = new double[n + 3];
      assertThat(new AggrIterator().decodeInto(c, Long.MIN_VALUE, Long.MAX_VALUE, all, counters, 3)).isEqualTo(n);
      for (int i = 0; i < n; i++) {
        assertThat(all[3 + i]).isEqualTo(t[i]);
        assertThat(Double.doubleToRawLongBits(counters[AggrIterator.COUNTER][3 + i]))
            .isEqualTo(Double.doubleToRawLongBits(f[i][4]));
      }
      long mint = t[17];
      long maxt = t[90] + 1;
      long[] ts = new long[n + 5];
      double[][] columns = new double[AggrIterator.COLUMNS][];
      columns[AggrIterator.LAST] = new double[n + 5];
      columns[AggrIterator.COUNT] = new double[n + 5];
      int written = new AggrIterator().decodeInto(c, mint, maxt, ts, columns, 5);
      assertThat(written).isEqualTo(90 - 17 + 1);
      for (int k = 0; k < written; k++) {
        assertThat(ts[5 + k]).isEqualTo(t[17 + k]);
        assertThat(Double.doubleToRawLongBits(columns[AggrIterator.LAST][5 + k]))
            .isEqualTo(Double.doubleToRawLongBits(f[17 + k][3]));
        assertThat(columns[AggrIterator.COUNT][5 + k]).isEqualTo(counts[17 + k]);
      }
    }
  }

  @Test
  void truncatedColumnarTierChunkIsReportedCorrupt() {
    AggrAppender a = new AggrAppender(1);
    for (int i = 0; i < 50; i++) {
      a.append(59_000 + i * 60_000L, 60, i * 1.5, i, i + 2, i + 1, i * 100.0);
    }
    byte[] data = a.seal(new TierChunkCompactor()).data();
    byte[] cut = java.util.Arrays.copyOf(data, data.length - 3);
    assertThatThrownBy(() -> new AggrIterator().reset(cut)).isInstanceOf(CorruptChunkException.class)
        .hasMessageContaining("past the chunk's end");
  }
}
