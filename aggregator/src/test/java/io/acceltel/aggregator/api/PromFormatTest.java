package io.acceltel.aggregator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Numbers, timestamps and durations as Prometheus (Go's strconv and time packages) writes and reads them. */
class PromFormatTest {
  @Test
  void valuesAsGoFormatsThem() {
    assertThat(PromFormat.value(2)).isEqualTo("2");
    assertThat(PromFormat.value(-3)).isEqualTo("-3");
    assertThat(PromFormat.value(0.5)).isEqualTo("0.5");
    assertThat(PromFormat.value(0.1 + 0.2)).isEqualTo("0.30000000000000004");
    assertThat(PromFormat.value(-0.0)).isEqualTo("-0");
    assertThat(PromFormat.value(0.0)).isEqualTo("0");
    assertThat(PromFormat.value(1e-6)).isEqualTo("0.000001");
    assertThat(PromFormat.value(1e-7)).isEqualTo("1e-07");
    assertThat(PromFormat.value(-1.25e-10)).isEqualTo("-1.25e-10");
    assertThat(PromFormat.value(1e15)).isEqualTo("1000000000000000");
    assertThat(PromFormat.value(123456789012345678.0)).isEqualTo("123456789012345680");
    assertThat(PromFormat.value(1e20)).isEqualTo("100000000000000000000");
    assertThat(PromFormat.value(1e21)).isEqualTo("1e+21");
    assertThat(PromFormat.value(1.5e300)).isEqualTo("1.5e+300");
    assertThat(PromFormat.value(Double.MIN_VALUE)).isEqualTo("5e-324");
    assertThat(PromFormat.value(Double.MAX_VALUE)).isEqualTo("1.7976931348623157e+308");
    assertThat(PromFormat.value(Double.NaN)).isEqualTo("NaN");
    assertThat(PromFormat.value(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
    assertThat(PromFormat.value(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
    // Java 17's Double.toString prints these with digits to spare (JDK-4511638); Go prints the shortest.
    assertThat(PromFormat.value(2.82879384806159E17)).isEqualTo("282879384806159000");
    assertThat(PromFormat.value(5.684341886080802E-14)).isEqualTo("5.684341886080802e-14");
  }

  /** Scalar results (Prometheus 2.42's promql.Scalar.MarshalJSON): no exponent, timestamps as Go floats. */
  @Test
  void scalarsAsPrometheus242MarshalsThem() {
    String written = String.join(" ", PromFormat.plain(1e-7), PromFormat.plain(3e21), PromFormat.plain(Double.NaN),
        PromFormat.scalarTimestamp(1500), PromFormat.scalarTimestamp(1_435_781_451_781L),
        PromFormat.scalarTimestamp(4000));
    assertThat(written).isEqualTo("0.0000001 3000000000000000000000 NaN 1.5 1435781451.781 4");
    JsonWriter w = new JsonWriter();
    w.scalarPoint(1500, 2);
    w.stringPoint(5, "x");
    assertThat(w.toString()).isEqualTo("[1.5,\"2\"][0.005,\"x\"]");
  }

  @Test
  void everyValueReadsBackExactlyAndIsNoLongerThanJavasShortest() {
    Random r = new Random(42);
    for (int i = 0; i < 200_000; i++) {
      double v = switch (i % 4) {
        case 0 -> Double.longBitsToDouble(r.nextLong());
        case 1 -> r.nextDouble() * 1000;
        case 2 -> r.nextInt(1_000_000) / 1000.0;
        default -> r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20);
      };
      if (Double.isNaN(v) || Double.isInfinite(v)) {
        continue;
      }
      String s = PromFormat.value(v);
      assertThat(Double.parseDouble(s)).as(s).isEqualTo(v);
      assertThat(significantDigits(s)).as(s).isLessThanOrEqualTo(significantDigits(Double.toString(v)));
    }
  }

  /**
   * Values with few significant digits (sums, averages and rates of GPU readings mostly are) are written in Go's
   * shortest form: checked against the definition (the fewest significant digits that read back to the value, the
   * closest such decimal), computed with BigDecimal.
   */
  @Test
  void shortDecimalsAreWrittenAsTheShortestDecimalThatReadsBack() {
    Random r = new Random(9);
    for (int i = 0; i < 200_000; i++) {
      int k = 1 + r.nextInt(12);
      double v = switch (i % 3) {
        case 0 -> (r.nextLong() % 1_000_000_000_000L) / Math.pow(10, k); // a decimal of up to 12 digits
        case 1 -> r.nextInt(100_000) / 8.0; // averages of integer gauges
        default -> r.nextDouble() * Math.pow(10, r.nextInt(16) - 6); // any double: mostly 16 or 17 digits
      };
      double abs = Math.abs(v);
      if (abs < 1e-6 || abs >= 1e15 || abs == Math.rint(abs)) {
        continue;
      }
      assertThat(PromFormat.value(v)).as("%s", v).isEqualTo((v < 0 ? "-" : "") + shortestByDefinition(abs));
    }
  }

  @Test
  void jsonWriterPutsNumbersStraightIntoItsBuffer() {
    JsonWriter w = new JsonWriter(16); // grows while writing numbers
    w.beginArray();
    for (int i = 0; i < 50; i++) {
      w.point(1_435_781_451_781L + i * 219L, i % 2 == 0 ? 0.1 + 0.2 : -1e-7);
    }
    w.endArray();
    String json = w.toString();
    assertThat(json).startsWith("[[1435781451.781,\"0.30000000000000004\"],[1435781452,\"-1e-07\"],"
        + "[1435781452.219,\"0.30000000000000004\"]");
    assertThat(json.split("\\],\\[")).hasSize(50);
  }

  private static String shortestByDefinition(double abs) {
    java.math.BigDecimal exact = new java.math.BigDecimal(abs);
    for (int digits = 1; ; digits++) {
      java.math.BigDecimal d = exact.round(new java.math.MathContext(digits, java.math.RoundingMode.HALF_EVEN));
      if (d.doubleValue() == abs) {
        return d.stripTrailingZeros().toPlainString();
      }
    }
  }

  private static int significantDigits(String s) {
    String m = s.toLowerCase().split("e")[0].replace("-", "").replace(".", "");
    m = m.replaceFirst("^0+", "");
    m = m.replaceFirst("0+$", "");
    return Math.max(1, m.length());
  }

  @Test
  void timestampsAsSecondsWithMillisecondsOnlyWhenNotZero() {
    assertThat(PromFormat.timestamp(1_435_781_451_781L)).isEqualTo("1435781451.781");
    assertThat(PromFormat.timestamp(1_435_781_460_000L)).isEqualTo("1435781460");
    assertThat(PromFormat.timestamp(5)).isEqualTo("0.005");
    assertThat(PromFormat.timestamp(50)).isEqualTo("0.050");
    assertThat(PromFormat.timestamp(1500)).isEqualTo("1.500");
    assertThat(PromFormat.timestamp(0)).isEqualTo("0");
    assertThat(PromFormat.timestamp(-1500)).isEqualTo("-1.500");
  }

  @Test
  void timeParameters() {
    assertThat(ApiParams.parseTime("4")).isEqualTo(4000);
    assertThat(ApiParams.parseTime("1435781451.781")).isEqualTo(1_435_781_451_781L);
    assertThat(ApiParams.parseTime("1.0006")).isEqualTo(1001);
    assertThat(ApiParams.parseTime("2015-07-01T20:10:51.781Z")).isEqualTo(1_435_781_451_781L);
    assertThat(ApiParams.parseTime("2015-07-01T22:10:51+02:00")).isEqualTo(1_435_781_451_000L);
    assertThat(ApiParams.parseTime(ApiParams.MIN_TIME_FORMATTED)).isEqualTo(ApiParams.MIN_TIME);
    assertThat(ApiParams.parseTime(ApiParams.MAX_TIME_FORMATTED)).isEqualTo(ApiParams.MAX_TIME);
    assertThatThrownBy(() -> ApiParams.parseTime("1.5d")).hasMessage("cannot parse \"1.5d\" to a valid timestamp");
    // Go's RFC3339 needs the seconds, where Java's ISO parser does not.
    assertThatThrownBy(() -> ApiParams.parseTime("2023-11-14T22:00Z"))
        .hasMessage("cannot parse \"2023-11-14T22:00Z\" to a valid timestamp");
    assertThatThrownBy(() -> ApiParams.parseTime("")).hasMessage("cannot parse \"\" to a valid timestamp");
  }

  /** Raw non-ASCII characters next to escapes (curl --data-binary, scripts); an overflow answered 500 before. */
  @Test
  void percentDecodingTakesRawUnicodeNextToEscapesAndPluses() {
    assertThat(ApiParams.urlDecode("up{node=\"é\"}+1", "query")).isEqualTo("up{node=\"é\"} 1");
    assertThat(ApiParams.urlDecode("éé%2Béé+%41", "query")).isEqualTo("éé+éé A");
    assertThat(ApiParams.urlDecode("gpu=\uD83D\uDE80+%2B", "query")).as("a character outside the BMP")
        .isEqualTo("gpu=\uD83D\uDE80 +");
    assertThat(ApiParams.urlDecode("%E4%B8%AD+中", "query")).isEqualTo("中 中");
  }

  @Test
  void durationParameters() {
    assertThat(ApiParams.parseDuration("15")).isEqualTo(15_000);
    assertThat(ApiParams.parseDuration("0.25")).isEqualTo(250);
    assertThat(ApiParams.parseDuration("15s")).isEqualTo(15_000);
    assertThat(ApiParams.parseDuration("1h30m")).isEqualTo(5_400_000);
    assertThat(ApiParams.parseDuration("1d2h")).isEqualTo(93_600_000);
    assertThat(ApiParams.parseDuration("100ms")).isEqualTo(100);
    assertThat(ApiParams.parseDuration("0")).isZero();
    assertThatThrownBy(() -> ApiParams.parseDuration("30m1h")).hasMessage(
        "cannot parse \"30m1h\" to a valid duration");
    assertThatThrownBy(() -> ApiParams.parseDuration("1e30")).hasMessage(
        "cannot parse \"1e30\" to a valid duration. It overflows int64");
  }

  @Test
  void labelNameEscaping() {
    assertThat(PrometheusApi.unescapeName("http_2e_status__code")).isEqualTo("http.status_code");
    assertThat(PrometheusApi.checkLabelName("U__node")).isEqualTo("node");
    assertThat(PrometheusApi.labelValuesName("/api/v1/label/job/values")).isEqualTo("job");
    assertThat(PrometheusApi.labelValuesName("/api/v1/label/a%2Eb/values")).isEqualTo("a.b");
    assertThat(PrometheusApi.labelValuesName("/api/v1/label/values")).isNull();
    // A megabyte of a bad name is not echoed back whole.
    assertThatThrownBy(() -> PrometheusApi.checkLabelName("-" + "x".repeat(1 << 20)))
        .hasMessageStartingWith("invalid label name: \"-xxx").hasMessageContaining("(1048577 characters)")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
  }
}
