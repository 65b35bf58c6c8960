package io.acceltel.promql.functions;

import io.acceltel.promql.engine.LabelsOps;
import io.acceltel.promql.engine.StepValue;
import io.acceltel.promql.value.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/** Element-wise math on instant vectors; all drop the metric name, as in Prometheus. */
final class MathFunctions {
  private MathFunctions() {}

  /** Applies {@code f} to each sample of argument 0. */
  static PromFunction simple(DoubleUnaryOperator f) {
    return args -> map(args, f);
  }

  static StepValue.Vec map(FunctionArgs args, DoubleUnaryOperator f) {
    List<Sample> in = args.vector(0);
    List<Sample> out = new ArrayList<>(in.size());
    for (Sample s : in) {
      out.add(new Sample(LabelsOps.dropMetricName(s.labels()), args.time(), f.applyAsDouble(s.value())));
    }
    return new StepValue.Vec(out);
  }

  static void register(Map<String, PromFunction> t) {
    t.put("abs", simple(Math::abs));
    t.put("ceil", simple(Math::ceil));
    t.put("floor", simple(Math::floor));
    t.put("exp", simple(Math::exp));
    t.put("sqrt", simple(Math::sqrt));
    t.put("ln", simple(Math::log));
    t.put("log2", simple(GoMath::log2));
    t.put("log10", simple(GoMath::log10));
    t.put("sgn", simple(v -> v < 0 ? -1 : v > 0 ? 1 : v));
    t.put("deg", simple(v -> v * 180 / Math.PI));
    t.put("rad", simple(v -> v * Math.PI / 180));
    t.put("sin", simple(Math::sin));
    t.put("cos", simple(Math::cos));
    t.put("tan", simple(Math::tan));
    t.put("asin", simple(Math::asin));
    t.put("acos", simple(Math::acos));
    t.put("atan", simple(GoMath::atan));
    t.put("sinh", simple(Math::sinh));
    t.put("cosh", simple(Math::cosh));
    t.put("tanh", simple(Math::tanh));
    t.put("asinh", simple(MathFunctions::asinh));
    t.put("acosh", simple(MathFunctions::acosh));
    t.put("atanh", simple(MathFunctions::atanh));
    t.put("pi", args -> new StepValue.Num(Math.PI));
    t.put("clamp", args -> {
      double min = args.scalar(1);
      double max = args.scalar(2);
      if (max < min) {
        return new StepValue.Vec(new ArrayList<>());
      }
      return map(args, v -> Math.max(min, Math.min(max, v)));
    });
    t.put("clamp_max", args -> {
      double max = args.scalar(1);
      return map(args, v -> Math.min(max, v));
    });
    t.put("clamp_min", args -> {
      double min = args.scalar(1);
      return map(args, v -> Math.max(min, v));
    });
    t.put("round", args -> {
      double toNearest = args.size() > 1 ? args.scalar(1) : 1;
      // Dividing by the inverse, as Prometheus does, rounds exactly for fractions such as 0.1.
      double inverse = 1.0 / toNearest;
      return map(args, v -> Math.floor(v * inverse + 0.5) / inverse);
    });
  }

  // The inverse hyperbolic functions follow Go's math package (FreeBSD's msun): the textbook log formulas lose
  // every digit near zero and overflow in x * x past 1e154, where Prometheus still answers.
  private static final double LN2 = 0.693147180559945309417232121458176568;
  private static final double NEAR_ZERO = 1.0 / (1 << 28);
  private static final double LARGE = 1 << 28;

  static double asinh(double x) {
    if (Double.isNaN(x) || Double.isInfinite(x)) {
      return x;
    }
    double a = Math.abs(x);
    double r;
    if (a > LARGE) {
      r = Math.log(a) + LN2;
    } else if (a > 2) {
      r = Math.log(2 * a + 1 / (Math.sqrt(a * a + 1) + a));
    } else if (a < NEAR_ZERO) {
      r = a;
    } else {
      r = Math.log1p(a + a * a / (1 + Math.sqrt(1 + a * a)));
    }
    return Math.copySign(r, x); // keeps -0, as Go does
  }

  static double acosh(double x) {
    if (x < 1 || Double.isNaN(x)) {
      return Double.NaN;
    }
    if (x == 1) {
      return 0;
    }
    if (x >= LARGE) {
      return Math.log(x) + LN2;
    }
    if (x > 2) {
      return Math.log(2 * x - 1 / (x + Math.sqrt(x * x - 1)));
    }
    double t = x - 1;
    return Math.log1p(t + Math.sqrt(2 * t + t * t));
  }

  static double atanh(double x) {
    if (x < -1 || x > 1 || Double.isNaN(x)) {
      return Double.NaN;
    }
    if (x == 1) {
      return Double.POSITIVE_INFINITY;
    }
    if (x == -1) {
      return Double.NEGATIVE_INFINITY;
    }
    double a = Math.abs(x);
    double r;
    if (a < NEAR_ZERO) {
      r = a;
    } else if (a < 0.5) {
      double twice = a + a;
      r = 0.5 * Math.log1p(twice + twice * a / (1 - a));
    } else {
      r = 0.5 * Math.log1p((a + a) / (1 - a));
    }
    return Math.copySign(r, x); // keeps -0, as Go does
  }
}
