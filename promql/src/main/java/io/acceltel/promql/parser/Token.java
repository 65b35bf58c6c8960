package io.acceltel.promql.parser;

/**
 * One lexer item: its kind, its text and where it starts. {@code text} of a keyword, word operator or aggregator is
 * lowercased for matching ({@code SUM} is {@code sum}); {@code raw} is always as written, because the same words are
 * also valid metric and label names ({@code sum by (Group)} groups by {@code Group}).
 */
record Token(Kind kind, String text, int pos, String raw) {
  Token(Kind kind, String text, int pos) {
    this(kind, text, pos, text);
  }

  /** Lexer item kinds. */
  enum Kind {
    EOF, IDENTIFIER, METRIC_IDENTIFIER, NUMBER, STRING, DURATION, OPERATOR, KEYWORD, AGGREGATOR,
    LEFT_PAREN, RIGHT_PAREN, LEFT_BRACE, RIGHT_BRACE, LEFT_BRACKET, RIGHT_BRACKET, COMMA, COLON, AT
  }

  boolean is(Kind k) {
    return kind == k;
  }

  boolean isOp(String op) {
    return kind == Kind.OPERATOR && text.equals(op);
  }

  boolean isKeyword(String kw) {
    return kind == Kind.KEYWORD && text.equals(kw);
  }

  /** How Prometheus names the item in "unexpected ..." messages. */
  String describe() {
    return switch (kind) {
      case EOF -> "end of input";
      case IDENTIFIER -> "identifier " + GoStrings.quote(text);
      case METRIC_IDENTIFIER -> "metric identifier " + GoStrings.quote(text);
      case NUMBER -> "number " + shortQuote(text);
      case STRING -> "string " + shortQuote(text);
      case DURATION -> "duration " + shortQuote(text);
      case OPERATOR -> "<op:" + text + ">";
      case KEYWORD -> "<" + text + ">";
      case AGGREGATOR -> "<aggr:" + text + ">";
      default -> GoStrings.quote(text);
    };
  }

  /** Go's {@code %.10q...} for long values. */
  private static String shortQuote(String s) {
    if (s.length() > 10) {
      return GoStrings.quote(s.substring(0, 10)) + "...";
    }
    return GoStrings.quote(s);
  }
}
