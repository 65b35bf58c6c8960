package io.acceltel.promql.parser;

import io.acceltel.model.series.LabelMatcher;
import io.acceltel.promql.parser.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Recursive-descent PromQL parser with Prometheus 2.x precedence and associativity: {@code ^} (right), then
 * {@code * / % atan2}, {@code + -}, comparisons, {@code and unless}, {@code or}; unary minus binds like
 * {@code *}, so {@code -2^2} is {@code -4}. Postfix range, subquery, {@code offset} and {@code @} bind tightest.
 * Types are checked after the whole query parsed (as Prometheus does), so syntax errors win over type errors.
 *
 * <pre>{@code
 * Expr e = Parser.parse("sum by (node) (rate(x[5m]))");
 * }</pre>
 */
public final class Parser {
  private final Lexer lexer;
  private Token tok;
  private Token prev;

  private Parser(String query) {
    this.lexer = new Lexer(query);
  }

  /** Parses and type-checks; throws {@link ParseException} with Prometheus's message and position. */
  public static Expr parse(String query) {
    Parser p = new Parser(query);
    p.advance();
    if (p.tok.is(Kind.EOF)) {
      throw new ParseException(0, "no expression found in input");
    }
    Expr e = p.expr(0);
    if (!p.tok.is(Kind.EOF)) {
      throw p.unexpected("");
    }
    TypeChecker.check(e);
    return e;
  }

  private void advance() {
    prev = tok;
    tok = lexer.next();
  }

  private ParseException unexpected(String context) {
    return unexpected(context, "");
  }

  private ParseException unexpected(String context, String expected) {
    StringBuilder msg = new StringBuilder("unexpected ").append(tok.describe());
    if (!context.isEmpty()) {
      msg.append(" in ").append(context);
    }
    if (!expected.isEmpty()) {
      msg.append(", expected ").append(expected);
    }
    return new ParseException(tok.pos(), msg.toString());
  }

  private void expect(Kind kind, String context, String expected) {
    if (!tok.is(kind)) {
      throw unexpected(context, expected);
    }
    advance();
  }

  // ---- binary expressions (precedence climbing) ----

  private Expr expr(int minPrec) {
    Expr left = unary();
    while (tok.is(Kind.OPERATOR)) {
      String op = tok.text();
      int prec = Operators.precedence(op);
      if (prec < 0) {
        throw unexpected("");
      }
      if (prec < minPrec) {
        break;
      }
      int opPos = tok.pos();
      advance();
      boolean returnBool = false;
      if (tok.isKeyword("bool")) {
        returnBool = true;
        advance();
      }
      VectorMatching matching = matching(op);
      Expr right = expr(Operators.rightAssociative(op) ? prec : prec + 1);
      left = new BinaryExpr(op, left, right, matching, returnBool, left.pos(), opPos);
    }
    return left;
  }

  private VectorMatching matching(String op) {
    VectorMatching.Cardinality card = Operators.isSet(op)
        ? VectorMatching.Cardinality.MANY_TO_MANY : VectorMatching.Cardinality.ONE_TO_ONE;
    boolean on = false;
    List<String> labels = List.of();
    List<String> include = List.of();
    if (tok.isKeyword("on") || tok.isKeyword("ignoring")) {
      on = tok.isKeyword("on");
      advance();
      labels = labelList("grouping opts");
      if (tok.isKeyword("group_left") || tok.isKeyword("group_right")) {
        card = tok.isKeyword("group_left")
            ? VectorMatching.Cardinality.MANY_TO_ONE : VectorMatching.Cardinality.ONE_TO_MANY;
        advance();
        if (tok.is(Kind.LEFT_PAREN)) {
          include = labelList("grouping opts");
        }
      }
    } else if (tok.isKeyword("group_left") || tok.isKeyword("group_right")) {
      throw unexpected("");
    }
    return new VectorMatching(card, on, labels, include);
  }

  private List<String> labelList(String context) {
    expect(Kind.LEFT_PAREN, context, "\"(\"");
    List<String> out = new ArrayList<>();
    while (!tok.is(Kind.RIGHT_PAREN)) {
      if (!isLabelNameToken(tok)) {
        throw unexpected(context, "label");
      }
      out.add(tok.raw());
      advance();
      if (tok.is(Kind.COMMA)) {
        advance();
      } else if (!tok.is(Kind.RIGHT_PAREN)) {
        throw unexpected(context, "\",\" or \")\"");
      }
    }
    advance();
    return out;
  }

  private static boolean isLabelNameToken(Token t) {
    return switch (t.kind()) {
      case IDENTIFIER, KEYWORD, AGGREGATOR -> true;
      case OPERATOR -> Character.isLetter(t.text().charAt(0));
      case NUMBER -> Character.isLetter(t.text().charAt(0)); // "inf", "nan" are valid label names
      default -> false;
    };
  }

  // ---- unary and postfix ----

  private Expr unary() {
    if (tok.isOp("-") || tok.isOp("+")) {
      Token op = tok;
      advance();
      Expr operand = expr(Operators.UNARY_OPERAND_PRECEDENCE);
      if (operand instanceof NumberLiteral n) {
        return new NumberLiteral(op.text().equals("-") ? -n.value() : n.value(), op.pos());
      }
      return new UnaryExpr(op.text(), operand, op.pos());
    }
    return postfix(primary());
  }

  private Expr postfix(Expr e) {
    while (true) {
      if (tok.is(Kind.LEFT_BRACKET)) {
        e = rangeOrSubquery(e);
      } else if (tok.isKeyword("offset")) {
        e = offset(e);
      } else if (tok.is(Kind.AT)) {
        e = at(e);
      } else {
        return e;
      }
    }
  }

  private Expr rangeOrSubquery(Expr e) {
    int bracketPos = tok.pos();
    advance();
    long range = durationToken("");
    if (tok.is(Kind.RIGHT_BRACKET)) {
      advance();
      if (!(e instanceof VectorSelector vs)) {
        throw new ParseException(bracketPos, "ranges only allowed for vector selectors");
      }
      if (vs.offsetMillis() != 0) {
        throw new ParseException(bracketPos, "no offset modifiers allowed before range");
      }
      if (vs.at() != null) {
        throw new ParseException(bracketPos, "no @ modifiers allowed before range");
      }
      return new MatrixSelector(vs, range, e.pos());
    }
    if (!tok.is(Kind.COLON)) {
      throw unexpected("subquery or range", "\":\" or \"]\"");
    }
    advance();
    long step = 0;
    if (!tok.is(Kind.RIGHT_BRACKET)) {
      step = durationToken("subquery or range selector");
    }
    expect(Kind.RIGHT_BRACKET, "subquery or range selector", "\"]\"");
    return new SubqueryExpr(e, range, step, 0, null, e.pos());
  }

  private long durationToken(String context) {
    if (!tok.is(Kind.DURATION)) {
      throw unexpected(context.isEmpty() ? "subquery or range" : context, "duration");
    }
    long ms;
    try {
      ms = Durations.parseMillis(tok.text());
    } catch (IllegalArgumentException | ArithmeticException ex) {
      throw new ParseException(tok.pos(), ex.getMessage());
    }
    if (ms == 0) {
      // Prometheus's parseDuration rejects zero for ranges, subquery steps and offsets alike.
      throw new ParseException(tok.pos(), "duration must be greater than 0");
    }
    advance();
    return ms;
  }

  private Expr offset(Expr e) {
    advance();
    boolean negative = false;
    if (tok.isOp("-")) {
      negative = true;
      advance();
    } else if (tok.isOp("+")) {
      advance();
    }
    if (!tok.is(Kind.DURATION)) {
      throw unexpected("offset", "duration");
    }
    long d = durationToken("offset");
    long off = negative ? -d : d;
    if (e instanceof VectorSelector vs) {
      if (vs.offsetMillis() != 0) {
        throw new ParseException(e.pos(), "offset may not be set multiple times");
      }
      return vs.withOffset(off);
    }
    if (e instanceof MatrixSelector ms) {
      if (ms.selector().offsetMillis() != 0) {
        throw new ParseException(e.pos(), "offset may not be set multiple times");
      }
      return new MatrixSelector(ms.selector().withOffset(off), ms.rangeMillis(), ms.pos());
    }
    if (e instanceof SubqueryExpr sq) {
      if (sq.offsetMillis() != 0) {
        throw new ParseException(e.pos(), "offset may not be set multiple times");
      }
      return sq.withOffset(off);
    }
    throw new ParseException(e.pos(),
        "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
  }

  private Expr at(Expr e) {
    advance();
    At at;
    if (tok.is(Kind.IDENTIFIER) && (tok.text().equalsIgnoreCase("start") || tok.text().equalsIgnoreCase("end"))) {
      boolean start = tok.text().equalsIgnoreCase("start");
      advance();
      expect(Kind.LEFT_PAREN, "@", "\"(\"");
      expect(Kind.RIGHT_PAREN, "@", "\")\"");
      at = start ? At.START : At.END;
    } else {
      boolean negative = false;
      if (tok.isOp("-") || tok.isOp("+")) {
        negative = tok.isOp("-");
        advance();
      }
      if (!tok.is(Kind.NUMBER)) {
        throw unexpected("@", "timestamp");
      }
      double seconds = parseNumber(tok);
      advance();
      if (negative) {
        seconds = -seconds;
      }
      if (Double.isNaN(seconds) || Double.isInfinite(seconds) || Math.abs(seconds) > 9.2e15) {
        throw new ParseException(e.pos(), "timestamp out of bounds for @ modifier: " + goFloatF(seconds));
      }
      at = At.timestamp(Math.round(seconds * 1000));
    }
    if (e instanceof VectorSelector vs) {
      if (vs.at() != null) {
        throw new ParseException(e.pos(), "@ <timestamp> may not be set multiple times");
      }
      return vs.withAt(at);
    }
    if (e instanceof MatrixSelector ms) {
      if (ms.selector().at() != null) {
        throw new ParseException(e.pos(), "@ <timestamp> may not be set multiple times");
      }
      return new MatrixSelector(ms.selector().withAt(at), ms.rangeMillis(), ms.pos());
    }
    if (e instanceof SubqueryExpr sq) {
      if (sq.at() != null) {
        throw new ParseException(e.pos(), "@ <timestamp> may not be set multiple times");
      }
      return sq.withAt(at);
    }
    throw new ParseException(e.pos(),
        "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery");
  }

  // ---- primary expressions ----

  private Expr primary() {
    Token t = tok;
    switch (t.kind()) {
      case NUMBER -> {
        advance();
        return new NumberLiteral(parseNumber(t), t.pos());
      }
      case STRING -> {
        advance();
        return new StringLiteral(unquote(t), t.pos());
      }
      case LEFT_PAREN -> {
        advance();
        Expr inner = expr(0);
        expect(Kind.RIGHT_PAREN, "", "\")\"");
        return new ParenExpr(inner, t.pos());
      }
      case LEFT_BRACE -> {
        return selector(null, t.pos());
      }
      case AGGREGATOR -> {
        advance();
        if (tok.is(Kind.LEFT_PAREN) || tok.isKeyword("by") || tok.isKeyword("without")) {
          return aggregation(t);
        }
        return selectorAfterName(t);
      }
      case IDENTIFIER, METRIC_IDENTIFIER, KEYWORD -> {
        advance();
        if (tok.is(Kind.LEFT_PAREN) && t.is(Kind.IDENTIFIER)) {
          return call(t);
        }
        return selectorAfterName(t);
      }
      case OPERATOR -> {
        if (Character.isLetter(t.text().charAt(0))) { // "and", "or", ... used as a metric name
          advance();
          return selectorAfterName(t);
        }
        throw unexpected("");
      }
      default -> throw unexpected("");
    }
  }

  private Expr selectorAfterName(Token name) {
    if (tok.is(Kind.LEFT_BRACE)) {
      return selector(name.raw(), name.pos());
    }
    List<LabelMatcher> ms = List.of(LabelMatcher.equal("__name__", name.raw()));
    return new VectorSelector(name.raw(), ms, 0, null, name.pos());
  }

  private VectorSelector selector(String name, int pos) {
    advance(); // '{'
    List<LabelMatcher> matchers = new ArrayList<>();
    while (!tok.is(Kind.RIGHT_BRACE)) {
      if (!tok.is(Kind.IDENTIFIER)) {
        throw unexpected("label matching", "identifier or \"}\"");
      }
      Token label = tok;
      advance();
      if (!tok.is(Kind.OPERATOR)) {
        throw unexpected("label matching", "label matching operator");
      }
      Token op = tok;
      LabelMatcher.Type type = switch (op.text()) {
        case "=" -> LabelMatcher.Type.EQUAL;
        case "!=" -> LabelMatcher.Type.NOT_EQUAL;
        case "=~" -> LabelMatcher.Type.REGEX;
        case "!~" -> LabelMatcher.Type.NOT_REGEX;
        default -> throw unexpected("label matching", "label matching operator");
      };
      advance();
      if (!tok.is(Kind.STRING)) {
        throw unexpected("label matching", "string");
      }
      String value = unquote(tok);
      advance();
      try {
        matchers.add(LabelMatcher.of(type, label.raw(), value));
      } catch (IllegalArgumentException ex) {
        // LabelMatcher's own message: it quotes at most the start of the regex, never the whole query back.
        throw new ParseException(label.pos(), ex.getMessage());
      }
      if (tok.is(Kind.COMMA)) {
        advance();
      } else if (!tok.is(Kind.RIGHT_BRACE)) {
        throw unexpected("label matching", "\",\" or \"}\"");
      }
    }
    advance(); // '}'
    if (name != null) {
      matchers.add(LabelMatcher.equal("__name__", name));
    }
    return new VectorSelector(name, matchers, 0, null, pos);
  }

  private Expr call(Token name) {
    FunctionSignature fn = FunctionSignature.lookup(name.text());
    if (fn == null) {
      throw new ParseException(name.pos(), "unknown function with name " + GoStrings.quote(name.text()));
    }
    advance(); // '('
    return new Call(fn, arguments("call to function " + GoStrings.quote(name.text())), name.pos());
  }

  /**
   * A call's or an aggregation's arguments, past the closing parenthesis. Both share Prometheus's grammar rule,
   * which refuses a trailing comma.
   */
  private List<Expr> arguments(String context) {
    List<Expr> args = new ArrayList<>();
    while (!tok.is(Kind.RIGHT_PAREN)) {
      args.add(expr(0));
      if (tok.is(Kind.COMMA)) {
        Token comma = tok;
        advance();
        if (tok.is(Kind.RIGHT_PAREN)) {
          throw new ParseException(comma.pos(), "trailing commas not allowed in function call args");
        }
      } else if (!tok.is(Kind.RIGHT_PAREN)) {
        throw unexpected(context, "\",\" or \")\"");
      }
    }
    advance();
    return args;
  }

  private Expr aggregation(Token op) {
    List<String> grouping = List.of();
    boolean without = false;
    boolean haveGrouping = false;
    if (tok.isKeyword("by") || tok.isKeyword("without")) {
      without = tok.isKeyword("without");
      advance();
      grouping = labelList("grouping opts");
      haveGrouping = true;
    }
    if (!tok.is(Kind.LEFT_PAREN)) {
      throw unexpected("aggregation");
    }
    advance();
    List<Expr> args = arguments("aggregation");
    if (!haveGrouping && (tok.isKeyword("by") || tok.isKeyword("without"))) {
      without = tok.isKeyword("without");
      advance();
      grouping = labelList("grouping opts");
    }
    boolean hasParam = switch (op.text()) {
      case "topk", "bottomk", "quantile", "count_values" -> true;
      default -> false;
    };
    int want = hasParam ? 2 : 1;
    if (args.size() != want) {
      throw new ParseException(op.pos(), "wrong number of arguments for aggregate expression provided, expected "
          + want + ", got " + args.size());
    }
    Expr param = hasParam ? args.get(0) : null;
    Expr inner = args.get(want - 1);
    return new AggregateExpr(op.text(), inner, param, grouping, without, op.pos());
  }

  // ---- literals ----

  /** Go's {@code %f}: six decimals, and +Inf, -Inf, NaN spelled as Go spells them. */
  static String goFloatF(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    return String.format(java.util.Locale.ROOT, "%f", v);
  }

  private static String unquote(Token t) {
    try {
      return GoStrings.unquote(t.text());
    } catch (RuntimeException ex) {
      throw new ParseException(t.pos(), "invalid syntax");
    }
  }

  /** Go's {@code ParseInt(s, 0, 64)} first (hex, octal), then {@code ParseFloat}, as Prometheus parses numbers. */
  static double parseNumber(Token t) {
    String s = t.text();
    String lower = s.toLowerCase(java.util.Locale.ROOT);
    if (lower.equals("inf") || lower.equals("+inf")) {
      return Double.POSITIVE_INFINITY;
    }
    if (lower.equals("nan")) {
      return Double.NaN;
    }
    try {
      if (lower.startsWith("0x")) {
        return Long.parseLong(s.substring(2), 16);
      }
      if (lower.length() > 1 && lower.startsWith("0") && lower.chars().allMatch(c -> c >= '0' && c <= '7')) {
        try {
          return Long.parseLong(s.substring(1), 8);
        } catch (NumberFormatException outOfRange) {
          // Go's ParseInt fails on the range, and ParseFloat then reads the digits as decimal.
        }
      }
      double value = Double.parseDouble(s);
      if (Double.isInfinite(value)) {
        throw new ParseException(t.pos(), "error parsing number: strconv.ParseFloat: parsing "
            + GoStrings.quote(s) + ": value out of range");
      }
      return value;
    } catch (NumberFormatException ex) {
      throw new ParseException(t.pos(), "error parsing number: strconv.ParseFloat: parsing "
          + GoStrings.quote(s) + ": invalid syntax");
    }
  }
}
