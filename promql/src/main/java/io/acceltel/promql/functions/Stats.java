package io.acceltel.promql.functions;

import java.util.Arrays;

/** Numeric helpers shared by aggregations and range functions, written to match Prometheus's Go code. */
public final class Stats {
  private Stats() {}

  /**
   * Prometheus's {@code quantile}: sorts (NaN first) and interpolates linearly between the two nearest ranks;
   * q &lt; 0 gives -Inf, q &gt; 1 gives +Inf, no values gives NaN. Sorts {@code values[0..n)} in place.
   */
  public static double quantile(double q, double[] values, int n) {
    if (n == 0 || Double.isNaN(q)) {
      return Double.NaN;
    }
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    sortNaNFirst(values, n);
    double rank = q * (n - 1);
    double lower = Math.max(0, Math.floor(rank));
    double upper = Math.min(n - 1, lower + 1);
    double weight = rank - Math.floor(rank);
    return values[(int) lower] * (1 - weight) + values[(int) upper] * weight;
  }

  private static void sortNaNFirst(double[] values, int n) {
    Arrays.sort(values, 0, n); // Java puts NaN last
    int nans = 0;
    while (nans < n && Double.isNaN(values[n - 1 - nans])) {
      nans++;
    }
    if (nans > 0) {
      System.arraycopy(values, 0, values, nans, n - nans);
      Arrays.fill(values, 0, nans, Double.NaN);
    }
  }

  /** One step of Kahan-Neumaier summation: returns the new sum and updates {@code c[0]}, the compensation. */
  public static double kahanInc(double inc, double sum, double[] c) {
    double t = sum + inc;
    if (Math.abs(sum) >= Math.abs(inc)) {
      c[0] += (sum - t) + inc;
    } else {
      c[0] += (inc - t) + sum;
    }
    return t;
  }
}
