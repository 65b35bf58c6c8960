package io.acceltel.promql.parser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** AST shapes the evaluator relies on; messages and positions are covered by promqltest/parse_errors.test. */
class ParserTest {
  @Test
  void precedenceAndAssociativity() {
    BinaryExpr or = (BinaryExpr) Parser.parse("a or b and c unless d");
    assertThat(or.op()).isEqualTo("or");
    assertThat(((BinaryExpr) or.rhs()).op()).isEqualTo("unless");
    BinaryExpr pow = (BinaryExpr) Parser.parse("a ^ b ^ c");
    assertThat(pow.rhs()).isInstanceOf(BinaryExpr.class); // right-associative
    BinaryExpr minus = (BinaryExpr) Parser.parse("a - b - c");
    assertThat(minus.lhs()).isInstanceOf(BinaryExpr.class); // left-associative
    UnaryExpr neg = (UnaryExpr) Parser.parse("-a ^ b");
    assertThat(neg.expr()).isInstanceOf(BinaryExpr.class); // unary binds looser than ^
    BinaryExpr mul = (BinaryExpr) Parser.parse("-a * b");
    assertThat(mul.lhs()).isInstanceOf(UnaryExpr.class); // and like * otherwise
  }

  @Test
  void modifiersLandOnTheSelector() {
    MatrixSelector ms = (MatrixSelector) Parser.parse("foo{a=~\"x|y\"}[5m] offset -1h30m @ end()");
    assertThat(ms.rangeMillis()).isEqualTo(300_000);
    assertThat(ms.selector().offsetMillis()).isEqualTo(-5_400_000);
    assertThat(ms.selector().at()).isEqualTo(At.END);
    assertThat(ms.selector().matchers()).hasSize(2);
    SubqueryExpr sq = (SubqueryExpr) Parser.parse("rate(foo[1m])[1h:] @ 1609746000.5");
    assertThat(sq.stepMillis()).isZero();
    assertThat(sq.at().millis()).isEqualTo(1_609_746_000_500L);
  }

  @Test
  void numbersAndStrings() {
    assertThat(((NumberLiteral) Parser.parse("0x1F")).value()).isEqualTo(31);
    assertThat(((NumberLiteral) Parser.parse("1e3")).value()).isEqualTo(1000);
    assertThat(((NumberLiteral) Parser.parse("-Inf")).value()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(((NumberLiteral) Parser.parse("NaN")).value()).isNaN();
    assertThat(((StringLiteral) Parser.parse("\"a\\tb\\u00e9\"")).value()).isEqualTo("a\tb\u00e9");
    assertThat(((StringLiteral) Parser.parse("`raw\\n`")).value()).isEqualTo("raw\\n");
    assertThat(((StringLiteral) Parser.parse("'it\\'s'")).value()).isEqualTo("it's");
    // Hex and octal escapes are bytes of UTF-8, as in Go.
    assertThat(((StringLiteral) Parser.parse("\"caf\\xc3\\xa9\"")).value()).isEqualTo("caf\u00e9");
    assertThat(((StringLiteral) Parser.parse("\"caf\\303\\251 \\u00e9\"")).value()).isEqualTo("caf\u00e9 \u00e9");
    assertThat(((StringLiteral) Parser.parse("\"\\x41\\101\"")).value()).isEqualTo("AA");
    // What Go refuses: a sign or a missing digit, an octal escape past one byte, a surrogate.
    for (String bad : new String[] {"\"\\x-1\"", "\"\\x+f\"", "\"\\x4\"", "\"\\500\"", "\"\\400\"",
        "\"\\ud800\"", "\"\\U00110000\"", "\"\\x\u0664\u0661\""}) {
      assertThatThrownBy(() -> Parser.parse(bad)).as(bad).isInstanceOf(ParseException.class);
    }
  }

  /**
   * Keywords, aggregators and word operators are matched without case, but the same words are valid metric and
   * label names and keep their case there.
   */
  @Test
  void keywordWordsKeepTheirCaseAsNames() {
    AggregateExpr byGroup = (AggregateExpr) Parser.parse("SUM by (Group, Offset) (gpu_util)");
    assertThat(byGroup.op()).isEqualTo("sum");
    assertThat(byGroup.grouping()).containsExactly("Group", "Offset");
    BinaryExpr matched = (BinaryExpr) Parser.parse("a / on(Max) group_left(Count) b");
    assertThat(matched.matching().labels()).containsExactly("Max");
    assertThat(matched.matching().include()).containsExactly("Count");
    VectorSelector sum = (VectorSelector) Parser.parse("Sum{gpu=\"0\"}");
    assertThat(sum.name()).isEqualTo("Sum");
    assertThat(sum.matchers()).anySatisfy(m -> assertThat(m.value()).isEqualTo("Sum"));
    assertThat(((VectorSelector) Parser.parse("Offset")).name()).isEqualTo("Offset");
    assertThat(((VectorSelector) Parser.parse("foo @ START()")).at()).isEqualTo(At.START);
  }

  @Test
  void aggregationForms() {
    AggregateExpr a = (AggregateExpr) Parser.parse("topk without (a, b,) (3, foo)");
    assertThat(a.without()).isTrue();
    assertThat(a.grouping()).containsExactly("a", "b");
    AggregateExpr b = (AggregateExpr) Parser.parse("sum(foo) by (on, by)");
    assertThat(b.grouping()).containsExactly("on", "by");
  }

  @Test
  void vectorMatching() {
    BinaryExpr b = (BinaryExpr) Parser.parse("a / on(x) group_left(y) b");
    assertThat(b.matching().card()).isEqualTo(VectorMatching.Cardinality.MANY_TO_ONE);
    assertThat(b.matching().on()).isTrue();
    assertThat(b.matching().labels()).containsExactly("x");
    assertThat(b.matching().include()).containsExactly("y");
    assertThat(((BinaryExpr) Parser.parse("a > bool b")).returnBool()).isTrue();
  }

  @Test
  void multiLinePositions() {
    assertThatThrownBy(() -> Parser.parse("sum(\n  foo\n) +"))
        .isInstanceOfSatisfying(ParseException.class, e ->
            assertThat(e.format("sum(\n  foo\n) +")).isEqualTo("3:4: parse error: unexpected end of input"));
  }

  @Test
  void durations() {
    assertThat(Durations.parseMillis("1y2w3d4h5m6s7ms")).isEqualTo(
        365L * 86_400_000 + 14L * 86_400_000 + 3L * 86_400_000 + 4 * 3_600_000 + 5 * 60_000 + 6_000 + 7);
    assertThatThrownBy(() -> Durations.parseMillis("5m1h")).hasMessageContaining("not a valid duration");
    assertThat(Durations.format(5_400_000)).isEqualTo("1h30m");
  }
}
