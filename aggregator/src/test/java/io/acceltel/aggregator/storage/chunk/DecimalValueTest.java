package io.acceltel.aggregator.storage.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Decimal chunks are decoded without dividing where the CPU fuses multiply-add: the result must be the division's. */
class DecimalValueTest {

  @Test
  void theCorrectedProductIsTheQuotientBitForBit() {
    SplittableRandom random = new SplittableRandom(11);
    for (int scale = 0; scale < ChunkFormat.POW10.length; scale++) {
      DecimalValue decimal = DecimalValue.ofScale(scale);
      double pow10 = ChunkFormat.POW10[scale];
      for (int i = 0; i < 2_000_000; i++) {
        long m = switch (i % 4) {
          case 0 -> random.nextLong(-(1L << 53) + 1, 1L << 53); // the whole decimal range
          case 1 -> random.nextLong(-100_000_000, 100_000_000);
          case 2 -> random.nextLong(-1000, 1000);
          default -> i / 4; // every small integer in turn
        };
        double quotient = m / pow10;
        assertThat(Double.doubleToRawLongBits(decimal.corrected(m))).as("%d / 10^%d", m, scale)
            .isEqualTo(Double.doubleToRawLongBits(quotient));
        assertThat(Double.doubleToRawLongBits(decimal.value(m))).isEqualTo(Double.doubleToRawLongBits(quotient));
      }
    }
  }

  @Test
  void zeroStaysPositiveZero() {
    for (int scale = 0; scale < ChunkFormat.POW10.length; scale++) {
      assertThat(Double.doubleToRawLongBits(DecimalValue.ofScale(scale).corrected(0))).isZero();
    }
  }
}
