package io.acceltel.aggregator.storage.chunk;

import java.lang.management.ManagementFactory;

/**
 * {@code m / 10^s} for decimal chunks, bit for bit what the division gives, without the division where the CPU
 * fuses multiply-add: a division is the slowest step of decoding a decimal sample (on the 2-vCPU benchmark VM it
 * halved the decode rate), while the corrected product below pipelines. With {@code y = 1 / 10^s} rounded to
 * nearest, {@code q = m * y} is within an ulp of the quotient, {@code r = m - q * 10^s} is exact in one fused
 * multiply-add, and {@code q + r * y} rounded once is the correctly rounded quotient (Markstein's theorem), as
 * long as nothing overflows or underflows: {@code |m| < 2^53} and {@code s <= 9} see to that.
 * {@code DecimalValueTest} checks it against the division.
 *
 * <pre>{@code
 * DecimalValue d = DecimalValue.ofScale(3);
 * double watts = d.value(691_234);           // 691.234, exactly 691_234 / 1000.0
 * }</pre>
 */
final class DecimalValue {
  /** Without a fused multiply-add instruction {@link Math#fma} is computed in software: divide instead. */
  static final boolean FUSED = fusedMultiplyAddInHardware();

  private static final DecimalValue[] BY_SCALE = new DecimalValue[ChunkFormat.POW10.length];

  static {
    for (int s = 0; s < BY_SCALE.length; s++) {
      BY_SCALE[s] = new DecimalValue(ChunkFormat.POW10[s]);
    }
  }

  private final double pow10;
  private final double reciprocal;
  /** Scale 0 (counters, temperatures, bucket counts): the value is m itself, with no arithmetic on the way. */
  private final boolean integral;

  private DecimalValue(double pow10) {
    this.pow10 = pow10;
    this.reciprocal = 1 / pow10;
    this.integral = pow10 == 1;
  }

  /** The converter for {@code m / 10^scale}, {@code 0 <= scale < ChunkFormat.POW10.length}. */
  static DecimalValue ofScale(int scale) {
    return BY_SCALE[scale];
  }

  double value(long m) {
    return integral ? m : FUSED ? corrected(m) : m / pow10;
  }

  /** The fused path; package-private so the test checks it whatever the CPU. */
  double corrected(long m) {
    double q = m * reciprocal;
    return Math.fma(Math.fma(-q, pow10, m), reciprocal, q);
  }

  private static boolean fusedMultiplyAddInHardware() {
    try {
      var vm = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
      return Boolean.parseBoolean(vm.getVMOption("UseFMA").getValue());
    } catch (RuntimeException | LinkageError e) {
      return false; // not HotSpot, or no management module: the division is always right
    }
  }
}
