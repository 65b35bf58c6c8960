package io.acceltel.promql.functions;

import io.acceltel.promql.engine.QueryException;
import io.acceltel.promql.engine.RangeWindow;
import io.acceltel.promql.engine.StepValue;
import io.acceltel.promql.storage.StoredSeries.WindowAggregates;
import io.acceltel.promql.value.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Functions over range vectors ({@code rate}, {@code *_over_time}, ...), transcribed from Prometheus 2.42's
 * {@code functions.go}. Each reads its window through {@link RangeWindow} without copying. On downsampled tiers the
 * window aggregates keep them exact: avg = Σsum/Σcount, count = Σcount, sum = Σsum, min/max from min/max, and
 * rate/increase/irate/resets over the reset-corrected counter.
 */
final class RangeFunctions {
  private RangeFunctions() {}

  /**
   * Applies {@code fn} to every window of argument {@code argIndex} with at least {@code minPoints} samples.
   * The metric name is dropped unless {@code keepName} (only last_over_time keeps it in 2.42).
   */
  static PromFunction over(int argIndex, int minPoints, boolean keepName, WindowFunction.Fn fn) {
    return new WindowFunction(argIndex, minPoints, keepName, fn);
  }

  static void register(java.util.Map<String, PromFunction> t) {
    t.put("rate", over(0, 2, false, (w, a) -> extrapolatedRate(w, true, true)));
    t.put("increase", over(0, 2, false, (w, a) -> extrapolatedRate(w, true, false)));
    t.put("delta", over(0, 2, false, (w, a) -> extrapolatedRate(w, false, false)));
    t.put("irate", instant(true));
    t.put("idelta", instant(false));
    t.put("deriv", over(0, 2, false, (w, a) -> linearRegression(w, w.t(0))[0]));
    t.put("predict_linear", over(0, 2, false, (w, a) -> {
      double[] si = linearRegression(w, a.time());
      return si[0] * a.scalar(1) + si[1];
    }));
    t.put("holt_winters", new WindowFunction(0, 2, false, RangeFunctions::holtWinters,
        RangeFunctions::checkSmoothingFactors));
    t.put("changes", over(0, 1, false, (w, a) -> changes(w)));
    t.put("resets", over(0, 1, false, (w, a) -> resets(w)));
    t.put("avg_over_time", over(0, 1, false, (w, a) -> avg(w)));
    t.put("sum_over_time", over(0, 1, false, (w, a) -> sum(w)));
    t.put("count_over_time", over(0, 1, false, (w, a) -> count(w)));
    t.put("min_over_time", over(0, 1, false, (w, a) -> min(w)));
    t.put("max_over_time", over(0, 1, false, (w, a) -> max(w)));
    t.put("stddev_over_time", over(0, 1, false, (w, a) -> Math.sqrt(variance(w))));
    t.put("stdvar_over_time", over(0, 1, false, (w, a) -> variance(w)));
    t.put("last_over_time", over(0, 1, true, (w, a) -> w.v(w.size() - 1)));
    t.put("present_over_time", over(0, 1, false, (w, a) -> 1));
    t.put("quantile_over_time", over(1, 1, false, (w, a) -> {
      double[] vs = new double[w.size()];
      for (int i = 0; i < vs.length; i++) {
        vs[i] = w.v(i);
      }
      return Stats.quantile(a.scalar(0), vs, vs.length);
    }));
  }

  private static double counterValue(RangeWindow w, int i) {
    WindowAggregates agg = w.aggregates();
    return agg == null || w.countersInValues() ? w.v(i) : agg.counter(w.aggregateIndex(i));
  }

  /** Prometheus's extrapolatedRate: the increase over the samples, extrapolated toward the window's edges. */
  static double extrapolatedRate(RangeWindow w, boolean isCounter, boolean isRate) {
    int n = w.size();
    double first = isCounter ? counterValue(w, 0) : w.v(0);
    double last = isCounter ? counterValue(w, n - 1) : w.v(n - 1);
    double result = last - first;
    if (isCounter && w.mayHaveCounterReset()) {
      // Without a reset the scan below adds nothing (a first sample below 0 adds the initial 0).
      double lastValue = 0;
      for (int i = 0; i < n; i++) {
        double v = counterValue(w, i);
        if (v < lastValue) {
          result += lastValue;
        }
        lastValue = v;
      }
    }
    double durationToStart = (w.t(0) - w.rangeStart()) / 1000.0;
    double durationToEnd = (w.rangeEnd() - w.t(n - 1)) / 1000.0;
    double sampledInterval = (w.t(n - 1) - w.t(0)) / 1000.0;
    double averageDurationBetweenSamples = sampledInterval / (n - 1);
    if (isCounter && result > 0 && first >= 0) {
      // A counter cannot go below zero: do not extrapolate further back than where it would reach zero.
      double durationToZero = sampledInterval * (first / result);
      if (durationToZero < durationToStart) {
        durationToStart = durationToZero;
      }
    }
    double threshold = averageDurationBetweenSamples * 1.1;
    double extrapolateToInterval = sampledInterval;
    extrapolateToInterval += durationToStart < threshold ? durationToStart : averageDurationBetweenSamples / 2;
    extrapolateToInterval += durationToEnd < threshold ? durationToEnd : averageDurationBetweenSamples / 2;
    result = result * (extrapolateToInterval / sampledInterval);
    if (isRate) {
      result = result / (w.rangeMillis() / 1000.0);
    }
    return result;
  }

  /** irate / idelta from the last two samples; nothing when they share a timestamp. */
  private static PromFunction instant(boolean isRate) {
    return args -> {
      List<Sample> out = new ArrayList<>();
      for (RangeWindow w : args.range(0)) {
        int n = w.size();
        if (n < 2) {
          continue;
        }
        double last = isRate ? counterValue(w, n - 1) : w.v(n - 1);
        double prev = isRate ? counterValue(w, n - 2) : w.v(n - 2);
        double result = isRate && last < prev ? last : last - prev;
        long interval = w.t(n - 1) - w.t(n - 2);
        if (interval == 0) {
          continue;
        }
        if (isRate) {
          result /= interval / 1000.0;
        }
        out.add(new Sample(w.labelsWithoutName(), args.time(), result));
      }
      return new StepValue.Vec(out);
    };
  }

  /** Least-squares slope and intercept at {@code interceptTime}, with Kahan sums as in Prometheus. */
  static double[] linearRegression(RangeWindow w, long interceptTime) {
    double n = 0;
    double sumX = 0;
    double sumY = 0;
    double sumXY = 0;
    double sumX2 = 0;
    double[] cX = {0};
    double[] cY = {0};
    double[] cXY = {0};
    double[] cX2 = {0};
    double initY = w.v(0);
    boolean constY = true;
    for (int i = 0; i < w.size(); i++) {
      double v = w.v(i);
      if (constY && i > 0 && v != initY) {
        constY = false;
      }
      n += 1;
      double x = (w.t(i) - interceptTime) / 1e3;
      sumX = Stats.kahanInc(x, sumX, cX);
      sumY = Stats.kahanInc(v, sumY, cY);
      sumXY = Stats.kahanInc(x * v, sumXY, cXY);
      sumX2 = Stats.kahanInc(x * x, sumX2, cX2);
    }
    if (constY) {
      if (Double.isInfinite(initY)) {
        return new double[] {Double.NaN, Double.NaN};
      }
      return new double[] {0, initY};
    }
    sumX += cX[0];
    sumY += cY[0];
    sumXY += cXY[0];
    sumX2 += cX2[0];
    double covXY = sumXY - sumX * sumY / n;
    double varX = sumX2 - sumX * sumX / n;
    double slope = covXY / varX;
    double intercept = sumY / n - slope * sumX / n;
    return new double[] {slope, intercept};
  }

  private static void checkSmoothingFactors(FunctionArgs a) {
    double sf = a.scalar(1);
    double tf = a.scalar(2);
    if (sf <= 0 || sf >= 1) {
      throw new QueryException(QueryException.Type.EXECUTION, String.format(Locale.ROOT,
          "invalid smoothing factor. Expected: 0 < sf < 1, got: %f", sf));
    }
    if (tf <= 0 || tf >= 1) {
      throw new QueryException(QueryException.Type.EXECUTION, String.format(Locale.ROOT,
          "invalid trend factor. Expected: 0 < tf < 1, got: %f", tf));
    }
  }

  private static double holtWinters(RangeWindow w, FunctionArgs a) {
    double sf = a.scalar(1);
    double tf = a.scalar(2);
    int l = w.size();
    double s0 = 0;
    double s1 = w.v(0);
    double b = w.v(1) - w.v(0);
    for (int i = 1; i < l; i++) {
      double x = sf * w.v(i);
      if (i - 1 != 0) {
        b = tf * (s1 - s0) + (1 - tf) * b;
      }
      double y = (1 - sf) * (s1 + b);
      s0 = s1;
      s1 = x + y;
    }
    return s1;
  }

  private static double changes(RangeWindow w) {
    int changes = 0;
    double prev = w.v(0);
    for (int i = 1; i < w.size(); i++) {
      double cur = w.v(i);
      if (cur != prev && !(Double.isNaN(cur) && Double.isNaN(prev))) {
        changes++;
      }
      prev = cur;
    }
    return changes;
  }

  private static double resets(RangeWindow w) {
    int resets = 0;
    double prev = w.v(0);
    for (int i = 1; i < w.size(); i++) {
      double cur = w.v(i);
      if (cur < prev) {
        resets++;
      }
      prev = cur;
    }
    return resets;
  }

  private static double avg(RangeWindow w) {
    WindowAggregates agg = w.aggregates();
    if (agg != null) {
      double sum = 0;
      double count = 0;
      for (int i = 0; i < w.size(); i++) {
        sum += agg.sum(w.aggregateIndex(i));
        count += agg.count(w.aggregateIndex(i));
      }
      return sum / count;
    }
    double mean = 0;
    double count = 0;
    double[] c = {0};
    for (int i = 0; i < w.size(); i++) {
      double v = w.v(i);
      count++;
      if (Double.isInfinite(mean)) {
        if (Double.isInfinite(v) && (mean > 0) == (v > 0)) {
          continue;
        }
        if (!Double.isInfinite(v) && !Double.isNaN(v)) {
          continue;
        }
      }
      mean = Stats.kahanInc(v / count - mean / count, mean, c);
    }
    return Double.isInfinite(mean) ? mean : mean + c[0];
  }

  private static double sum(RangeWindow w) {
    WindowAggregates agg = w.aggregates();
    double sum = 0;
    double[] c = {0};
    for (int i = 0; i < w.size(); i++) {
      double v = agg == null ? w.v(i) : agg.sum(w.aggregateIndex(i));
      sum = Stats.kahanInc(v, sum, c);
    }
    return Double.isInfinite(sum) ? sum : sum + c[0];
  }

  private static double count(RangeWindow w) {
    WindowAggregates agg = w.aggregates();
    if (agg == null) {
      return w.size();
    }
    double count = 0;
    for (int i = 0; i < w.size(); i++) {
      count += agg.count(w.aggregateIndex(i));
    }
    return count;
  }

  private static double min(RangeWindow w) {
    WindowAggregates agg = w.aggregates();
    double min = agg == null ? w.v(0) : agg.min(w.aggregateIndex(0));
    for (int i = 0; i < w.size(); i++) {
      double v = agg == null ? w.v(i) : agg.min(w.aggregateIndex(i));
      if (v < min || Double.isNaN(min)) {
        min = v;
      }
    }
    return min;
  }

  private static double max(RangeWindow w) {
    WindowAggregates agg = w.aggregates();
    double max = agg == null ? w.v(0) : agg.max(w.aggregateIndex(0));
    for (int i = 0; i < w.size(); i++) {
      double v = agg == null ? w.v(i) : agg.max(w.aggregateIndex(i));
      if (v > max || Double.isNaN(max)) {
        max = v;
      }
    }
    return max;
  }

  /** Population variance with Kahan-compensated Welford updates, as stdvar_over_time in Prometheus. */
  private static double variance(RangeWindow w) {
    double count = 0;
    double mean = 0;
    double aux = 0;
    double[] cMean = {0};
    double[] cAux = {0};
    for (int i = 0; i < w.size(); i++) {
      double v = w.v(i);
      count++;
      double delta = v - (mean + cMean[0]);
      mean = Stats.kahanInc(delta / count, mean, cMean);
      aux = Stats.kahanInc(delta * (v - (mean + cMean[0])), aux, cAux);
    }
    return (aux + cAux[0]) / count;
  }
}
