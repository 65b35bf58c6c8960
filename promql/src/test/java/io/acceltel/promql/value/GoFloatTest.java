package io.acceltel.promql.value;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GoFloatTest {

  /** Outputs of Go 1.19's strconv.FormatFloat(v, fmt, -1, 64). */
  @Test
  void matchesGoOnKnownValues() {
    String[][] cases = {
        {"0.30000000000000004", "f", "0.30000000000000004"},
        {"1e-7", "f", "0.0000001"},
        {"1e-7", "e", "1e-07"},
        {"1e21", "f", "1000000000000000000000"},
        {"1e21", "e", "1e+21"},
        {"123456.789", "e", "1.23456789e+05"},
        {"-2.5", "f", "-2.5"},
        {"100", "e", "1e+02"},
        {"1e100", "e", "1e+100"},
        {"1e23", "e", "1e+23"},
        {"5e-324", "e", "5e-324"},
        {"1e-323", "e", "1e-323"},
        {"1.7976931348623157e308", "e", "1.7976931348623157e+308"},
        {"2.2250738585072014e-308", "e", "2.2250738585072014e-308"},
        {"2.225073858507201e-308", "e", "2.225073858507201e-308"}, // the largest subnormal
        {"9007199254740993", "f", "9007199254740992"}, // 2^53 + 1 reads as 2^53
        {"1.5", "f", "1.5"},
        {"0.001", "f", "0.001"},
        {"NaN", "f", "NaN"},
        {"Infinity", "e", "+Inf"},
        {"-Infinity", "f", "-Inf"},
        {"0", "f", "0"},
        {"0", "e", "0e+00"},
        {"-0", "f", "-0"},
    };
    for (String[] c : cases) {
      double v = Double.parseDouble(c[0]);
      assertEquals(c[2], GoFloat.format(v, c[1].charAt(0)), c[0] + " as '" + c[1] + "'");
    }
  }

  /** Java 17's Double.toString prints these with digits to spare (JDK-4511638); Go prints the shortest. */
  @Test
  void isShorterThanJava17WhereJavaIsNotShortest() {
    assertEquals("282879384806159000", GoFloat.format(2.82879384806159E17, 'f'));
    assertEquals("5.684341886080802e-14", GoFloat.format(Math.scalb(1.0, -44), 'e'));
  }

  @Test
  void normalDoublesAreTheClosestShortestDecimal() {
    SplittableRandom random = new SplittableRandom(17);
    for (int i = 0; i < 20_000; i++) {
      double v;
      do {
        v = Double.longBitsToDouble(random.nextLong());
      } while (Double.isNaN(v) || Double.isInfinite(v) || Math.abs(v) < Double.MIN_NORMAL);
      assertShortest(v);
    }
  }

  /** Where the rounding interval is lopsided (powers of two), and around powers of ten. */
  @Test
  void powersOfTwoAndTenAndTheirNeighbours() {
    for (int e = -1022; e <= 1023; e++) {
      double p = Math.scalb(1.0, e);
      assertShortest(p);
      assertShortest(Math.nextUp(p));
      assertShortest(Math.nextDown(p));
    }
    for (int e = -307; e <= 308; e++) {
      double p = Double.parseDouble("1e" + e);
      assertShortest(p);
      assertShortest(Math.nextUp(p));
      assertShortest(Math.nextDown(p));
    }
  }

  /** Sums, averages and rates of readings: few significant digits, or 16 and 17 after arithmetic. */
  @Test
  void telemetryLikeValues() {
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < 20_000; i++) {
      double reading = random.nextInt(1_000_000) / 100.0;
      assertShortest(reading);
      assertShortest(reading / 7);
      assertShortest(reading * 1e-9);
      assertShortest(reading * 1e18);
    }
  }

  @Test
  void subnormals() {
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 2_000; i++) {
      double v = Double.longBitsToDouble(random.nextLong(1, 1L << 52));
      String s = GoFloat.format(v, 'e');
      assertEquals(v, Double.parseDouble(s), s);
      assertTrue(s.length() <= GoFloat.MAX_LENGTH_E);
    }
    assertEquals(Double.MIN_VALUE, Double.parseDouble(GoFloat.format(Double.MIN_VALUE, 'f')));
  }

  @Test
  void outputsFitTheDeclaredLengths() {
    double[] extremes = {-Double.MAX_VALUE, -Double.MIN_VALUE, -Double.MIN_NORMAL, -Math.nextDown(Double.MIN_NORMAL),
        -2.2250738585072014e-308, -1.2345678901234567e-300};
    for (double v : extremes) {
      assertTrue(GoFloat.format(v, 'e').length() <= GoFloat.MAX_LENGTH_E, v + " as 'e'");
      assertTrue(GoFloat.format(v, 'f').length() <= GoFloat.MAX_LENGTH_F, v + " as 'f'");
    }
    assertEquals(GoFloat.MAX_LENGTH_E, GoFloat.format(-2.2250738585072014e-308, 'e').length());
  }

  @Test
  void writesAtAnOffsetAndRejectsOtherFormats() {
    byte[] buf = new byte[40];
    buf[0] = '[';
    int end = GoFloat.write(buf, 1, 0.25, 'f');
    assertEquals("[0.25", new String(buf, 0, end, java.nio.charset.StandardCharsets.US_ASCII));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GoFloat.write(buf, 0, 1, 'g'));
    assertTrue(e.getMessage().contains("'f' or 'e'"), e.getMessage());
  }

  /**
   * Both forms read back to v and name the same decimal as the exact search: the shortest, and the closest to v of
   * the shortest.
   */
  private static void assertShortest(double v) {
    String f = GoFloat.format(v, 'f');
    String e = GoFloat.format(v, 'e');
    assertEquals(v, Double.parseDouble(f), f);
    assertEquals(v, Double.parseDouble(e), e);
    assertTrue(!f.contains("e"), f);
    assertTrue(e.matches("-?\\d(\\.\\d*[1-9])?e[+-]\\d{2,3}"), e);
    BigDecimal expected = GoFloat.shortestExact(Math.abs(v));
    BigDecimal got = new BigDecimal(e).abs();
    assertEquals(0, expected.compareTo(got), v + ": " + e + " where the shortest closest is " + expected);
    assertEquals(0, new BigDecimal(f).compareTo(new BigDecimal(e)), f + " and " + e);
  }
}
