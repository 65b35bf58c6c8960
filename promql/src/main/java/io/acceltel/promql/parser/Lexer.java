package io.acceltel.promql.parser;

import io.acceltel.promql.parser.Token.Kind;
import java.util.Set;

/**
 * PromQL lexer. Tokens are produced on demand, as Prometheus's lexer feeds its parser, so that a syntax error early
 * in the query is reported before a lexical error later in it. Tracks brace, bracket and parenthesis nesting to give
 * Prometheus's messages ("unclosed left bracket", "unexpected end of input inside braces").
 */
final class Lexer {
  private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
      "group_right", "bool", "offset");
  private static final Set<String> WORD_OPERATORS = Set.of("and", "or", "unless", "atan2");
  static final Set<String> AGGREGATORS = Set.of("sum", "avg", "count", "min", "max", "group", "stddev", "stdvar",
      "topk", "bottomk", "quantile", "count_values");

  private final String in;
  private int pos;
  private int parenDepth;
  private boolean braceOpen;
  private boolean bracketOpen;
  /** Right after '[' Prometheus's lexer insists on a duration, with its own messages. */
  private boolean durationNext;

  Lexer(String input) {
    this.in = input;
  }

  Token next() {
    skipSpaceAndComments();
    if (pos >= in.length()) {
      if (braceOpen) {
        throw new ParseException(pos, "unexpected end of input inside braces");
      }
      if (bracketOpen) {
        throw new ParseException(pos, "unclosed left bracket");
      }
      if (parenDepth > 0) {
        throw new ParseException(pos, "unclosed left parenthesis");
      }
      return new Token(Kind.EOF, "", pos);
    }
    if (durationNext) {
      durationNext = false;
      return duration();
    }
    return braceOpen ? insideBraces() : statement();
  }

  private Token duration() {
    int start = pos;
    if (scanNumber()) {
      throw new ParseException(start, "missing unit character in duration");
    }
    pos = start;
    while (pos < in.length() && isDigit(in.charAt(pos))) {
      pos++;
    }
    if (!acceptRemainingDuration()) {
      throw new ParseException(start, "bad duration syntax: " + GoStrings.quote(in.substring(start, pos)));
    }
    return new Token(Kind.DURATION, in.substring(start, pos), start);
  }

  private void skipSpaceAndComments() {
    while (pos < in.length()) {
      char c = in.charAt(pos);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        pos++;
      } else if (c == '#' && !braceOpen) {
        while (pos < in.length() && in.charAt(pos) != '\n') {
          pos++;
        }
      } else {
        return;
      }
    }
  }

  private Token statement() {
    int start = pos;
    char c = in.charAt(pos);
    switch (c) {
      case ',':
        pos++;
        return new Token(Kind.COMMA, ",", start);
      case '(':
        pos++;
        parenDepth++;
        return new Token(Kind.LEFT_PAREN, "(", start);
      case ')':
        pos++;
        if (--parenDepth < 0) {
          // Prometheus emits the parenthesis before failing, so the error sits just after it.
          throw new ParseException(start + 1, "unexpected right parenthesis ')'");
        }
        return new Token(Kind.RIGHT_PAREN, ")", start);
      case '{':
        pos++;
        braceOpen = true;
        return new Token(Kind.LEFT_BRACE, "{", start);
      case '}':
        throw new ParseException(start, "unexpected right brace '}'");
      case '[':
        if (bracketOpen) {
          throw new ParseException(start, "unexpected left bracket '['");
        }
        pos++;
        bracketOpen = true;
        durationNext = true;
        return new Token(Kind.LEFT_BRACKET, "[", start);
      case ']':
        if (!bracketOpen) {
          throw new ParseException(start, "unexpected right bracket ']'");
        }
        pos++;
        bracketOpen = false;
        return new Token(Kind.RIGHT_BRACKET, "]", start);
      case ':':
        if (bracketOpen) {
          pos++;
          return new Token(Kind.COLON, ":", start);
        }
        return identifier();
      case '@':
        pos++;
        return new Token(Kind.AT, "@", start);
      case '"', '\'', '`':
        return string();
      case '+', '-', '*', '/', '%', '^':
        pos++;
        return new Token(Kind.OPERATOR, String.valueOf(c), start);
      case '=':
        if (peek(1) == '=') {
          pos += 2;
          return new Token(Kind.OPERATOR, "==", start);
        }
        if (peek(1) == '~') {
          pos += 2;
          return new Token(Kind.OPERATOR, "=~", start);
        }
        pos++;
        return new Token(Kind.OPERATOR, "=", start);
      case '!':
        if (peek(1) == '=') {
          pos += 2;
          return new Token(Kind.OPERATOR, "!=", start);
        }
        if (peek(1) == '~') {
          pos += 2;
          return new Token(Kind.OPERATOR, "!~", start);
        }
        throw new ParseException(start, "unexpected character after '!': " + quoteRune(peek(1)));
      case '<', '>':
        if (peek(1) == '=') {
          pos += 2;
          return new Token(Kind.OPERATOR, c + "=", start);
        }
        pos++;
        return new Token(Kind.OPERATOR, String.valueOf(c), start);
      default:
        break;
    }
    if (isDigit(c) || (c == '.' && isDigit(peek(1)))) {
      return numberOrDuration();
    }
    if (isAlpha(c)) {
      return identifier();
    }
    throw new ParseException(start, "unexpected character: " + quoteRune(c));
  }

  private Token insideBraces() {
    int start = pos;
    char c = in.charAt(pos);
    switch (c) {
      case ',':
        pos++;
        return new Token(Kind.COMMA, ",", start);
      case '}':
        pos++;
        braceOpen = false;
        return new Token(Kind.RIGHT_BRACE, "}", start);
      case '"', '\'', '`':
        return string();
      case '=':
        if (peek(1) == '~') {
          pos += 2;
          return new Token(Kind.OPERATOR, "=~", start);
        }
        pos++;
        return new Token(Kind.OPERATOR, "=", start);
      case '!':
        if (peek(1) == '=' || peek(1) == '~') {
          pos += 2;
          return new Token(Kind.OPERATOR, "!" + in.charAt(start + 1), start);
        }
        throw new ParseException(start, "unexpected character after '!' inside braces: " + quoteRune(peek(1)));
      default:
        if (isAlpha(c)) {
          while (pos < in.length() && isAlphaNumeric(in.charAt(pos))) {
            pos++;
          }
          return new Token(Kind.IDENTIFIER, in.substring(start, pos), start);
        }
        throw new ParseException(start, "unexpected character inside braces: " + quoteRune(c));
    }
  }

  private Token identifier() {
    int start = pos;
    boolean metric = false;
    while (pos < in.length() && (isAlphaNumeric(in.charAt(pos)) || in.charAt(pos) == ':')) {
      metric |= in.charAt(pos) == ':';
      pos++;
    }
    String word = in.substring(start, pos);
    if (metric) {
      return new Token(Kind.METRIC_IDENTIFIER, word, start);
    }
    String lower = word.toLowerCase(java.util.Locale.ROOT);
    if (KEYWORDS.contains(lower)) {
      return new Token(Kind.KEYWORD, lower, start, word);
    }
    if (WORD_OPERATORS.contains(lower)) {
      return new Token(Kind.OPERATOR, lower, start, word);
    }
    if (AGGREGATORS.contains(lower)) {
      return new Token(Kind.AGGREGATOR, lower, start, word);
    }
    if (lower.equals("inf") || lower.equals("nan")) {
      return new Token(Kind.NUMBER, word, start);
    }
    return new Token(Kind.IDENTIFIER, word, start);
  }

  private Token string() {
    int start = pos;
    char q = in.charAt(pos++);
    while (true) {
      if (pos >= in.length()) {
        throw new ParseException(start, q == '`' ? "unterminated raw string" : "unterminated quoted string");
      }
      char c = in.charAt(pos++);
      if (c == '\\' && q != '`') {
        if (pos >= in.length()) {
          throw new ParseException(start, "unterminated quoted string");
        }
        pos++;
      } else if (c == q) {
        break;
      } else if (c == '\n' && q != '`') {
        throw new ParseException(start, "unterminated quoted string");
      }
    }
    return new Token(Kind.STRING, in.substring(start, pos), start);
  }

  private Token numberOrDuration() {
    int start = pos;
    if (scanNumber()) {
      return new Token(Kind.NUMBER, in.substring(start, pos), start);
    }
    pos = start;
    while (pos < in.length() && isDigit(in.charAt(pos))) {
      pos++;
    }
    if (acceptRemainingDuration()) {
      return new Token(Kind.DURATION, in.substring(start, pos), start);
    }
    if (bracketOpen) {
      throw new ParseException(start, "bad duration syntax: " + GoStrings.quote(in.substring(start, pos)));
    }
    while (pos < in.length() && isAlphaNumeric(in.charAt(pos))) {
      pos++;
    }
    throw new ParseException(start, "bad number or duration syntax: " + GoStrings.quote(in.substring(start, pos)));
  }

  private boolean scanNumber() {
    String digits = "0123456789";
    if (peek(0) == '0' && (peek(1) == 'x' || peek(1) == 'X')) {
      pos += 2;
      digits = "0123456789abcdefABCDEF";
    }
    acceptRun(digits);
    if (accept(".")) {
      acceptRun(digits);
    }
    if (accept("eE")) {
      accept("+-");
      acceptRun("0123456789");
    }
    return !isAlphaNumeric(peek(0));
  }

  private boolean acceptRemainingDuration() {
    if (!accept("smhdwy")) {
      return false;
    }
    accept("s");
    while (accept("0123456789")) {
      acceptRun("0123456789");
      if (!accept("smhdw")) {
        return false;
      }
      accept("s");
    }
    return !isAlphaNumeric(peek(0));
  }

  private boolean accept(String valid) {
    if (pos < in.length() && valid.indexOf(in.charAt(pos)) >= 0) {
      pos++;
      return true;
    }
    return false;
  }

  private void acceptRun(String valid) {
    while (accept(valid)) {
      // consume
    }
  }

  private char peek(int ahead) {
    int p = pos + ahead;
    return p < in.length() ? in.charAt(p) : '\0';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isAlpha(char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isAlphaNumeric(char c) {
    return isAlpha(c) || isDigit(c);
  }

  private static String quoteRune(char c) {
    return c == '\'' ? "'\\''" : "'" + c + "'";
  }
}
