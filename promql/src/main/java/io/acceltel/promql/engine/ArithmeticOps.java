package io.acceltel.promql.engine;

/** Element-wise operators with Go's float semantics (Prometheus's {@code vectorElemBinop} / {@code scalarBinop}). */
final class ArithmeticOps {
  private ArithmeticOps() {}

  /** The arithmetic result, or for comparisons 1 (true) / 0 (false). */
  static double apply(String op, double l, double r) {
    return switch (op) {
      case "+" -> l + r;
      case "-" -> l - r;
      case "*" -> l * r;
      case "/" -> l / r;
      case "%" -> l % r; // Java's % on doubles is C's fmod, as Go's math.Mod
      case "^" -> pow(l, r);
      case "atan2" -> io.acceltel.promql.functions.GoMath.atan2(l, r);
      case "==" -> l == r ? 1 : 0;
      case "!=" -> l != r ? 1 : 0;
      case "<" -> l < r ? 1 : 0;
      case "<=" -> l <= r ? 1 : 0;
      case ">" -> l > r ? 1 : 0;
      case ">=" -> l >= r ? 1 : 0;
      default -> throw new IllegalStateException("operator " + op + " is not an arithmetic or comparison operator");
    };
  }

  /** Go's math.Pow where it differs from Java's: 1^y = 1 and (-1)^±Inf = 1, even for NaN y. */
  static double pow(double x, double y) {
    if (x == 1) {
      return 1;
    }
    if (x == -1 && Double.isInfinite(y)) {
      return 1;
    }
    return Math.pow(x, y);
  }

  /** Whether the operator drops the metric name from its result (arithmetic does, comparisons do not). */
  static boolean dropsMetricName(String op) {
    return switch (op) {
      case "+", "-", "*", "/", "%", "^" -> true; // atan2 keeps the name in 2.42
      default -> false;
    };
  }
}
