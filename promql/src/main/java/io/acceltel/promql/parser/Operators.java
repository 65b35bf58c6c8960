package io.acceltel.promql.parser;

/** Binary operator classes and precedence, as in Prometheus's grammar (higher binds tighter). */
public final class Operators {
  private Operators() {}

  public static boolean isComparison(String op) {
    return switch (op) {
      case "==", "!=", "<", "<=", ">", ">=" -> true;
      default -> false;
    };
  }

  public static boolean isSet(String op) {
    return op.equals("and") || op.equals("or") || op.equals("unless");
  }

  /** Precedence: or 1; and, unless 2; comparisons 3; + - 4; * / % atan2 5; ^ 6. */
  static int precedence(String op) {
    return switch (op) {
      case "or" -> 1;
      case "and", "unless" -> 2;
      case "==", "!=", "<", "<=", ">", ">=" -> 3;
      case "+", "-" -> 4;
      case "*", "/", "%", "atan2" -> 5;
      case "^" -> 6;
      default -> -1;
    };
  }

  static final int UNARY_OPERAND_PRECEDENCE = 6;

  static boolean rightAssociative(String op) {
    return op.equals("^");
  }
}
