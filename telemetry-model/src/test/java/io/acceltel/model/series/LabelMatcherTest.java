package io.acceltel.model.series;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LabelMatcherTest {
  @Test
  void equalityTreatsAbsentAsEmpty() {
    assertThat(LabelMatcher.equal("job", "a").matches("a")).isTrue();
    assertThat(LabelMatcher.equal("job", "").matches(null)).isTrue();
    assertThat(LabelMatcher.notEqual("job", "").matches(null)).isFalse();
    assertThat(LabelMatcher.notEqual("job", "a").matches(null)).isTrue();
    assertThat(LabelMatcher.notEqual("job", "a").matchesEmpty()).isTrue();
    assertThat(LabelMatcher.equal("job", "a").matchesEmpty()).isFalse();
  }

  @Test
  void regexIsFullyAnchored() {
    LabelMatcher m = LabelMatcher.regex("node", "n1|n2");
    assertThat(m.matches("n1")).isTrue();
    assertThat(m.matches("n12")).isFalse();
    assertThat(m.matches("xn1")).isFalse();
    assertThat(m.setMatches()).containsExactly("n1", "n2");
    assertThat(LabelMatcher.regex("node", "n.*").setMatches()).isNull();
    assertThat(LabelMatcher.regex("node", ".*").matchesEmpty()).isTrue();
    assertThat(LabelMatcher.regex("node", ".+").matchesEmpty()).isFalse();
    assertThat(LabelMatcher.notRegex("node", "n.*").matches("m1")).isTrue();
    assertThat(LabelMatcher.notRegex("node", "n.*").matches(null)).isTrue();
  }

  @Test
  void badRegexSaysWhich() {
    assertThatThrownBy(() -> LabelMatcher.regex("gpu", "(")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gpu");
  }

  @Test
  void printsAsPromQl() {
    assertThat(LabelMatcher.notRegex("a", "x\"y").toString()).isEqualTo("a!~\"x\\\"y\"");
    assertThat(LabelMatcher.equal("a", "b")).isEqualTo(LabelMatcher.equal("a", "b"));
  }

  /**
   * RE2 caps each repeat at 1000, not their product: 30 bytes of query text would compile to 10^9 instructions and
   * exhaust the heap that ingest shares. Refused before compiling, as Go's regexp does ("expression too large").
   */
  @Test
  void aRegexThatWouldCompileTooLargeIsRefusedBeforeCompiling() {
    assertThatThrownBy(() -> LabelMatcher.regex("gpu", "((a{1000}){1000}){1000}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("label gpu is too large")
        .hasMessageContaining("limit of " + RegexSize.MAX_INSTRUCTIONS)
        .hasMessageContaining("use + or *");
    assertThatThrownBy(() -> LabelMatcher.notRegex("gpu", "(?:x{2,}){1000}(?:y{0,1000}){1000}"))
        .hasMessageContaining("too large");
    assertThatThrownBy(() -> LabelMatcher.regex("gpu", "(" + "a|".repeat(10) + "b){1000}{1000}"))
        .hasMessageContaining("too large");
    // A ')' that closes the wrapping group the matcher adds must not hide what follows it from the sizing.
    assertThatThrownBy(() -> LabelMatcher.regex("gpu", "a)((a{1000}){1000}){1000}(?:"))
        .hasMessageContaining("too large");
    assertThatThrownBy(() -> LabelMatcher.regex("gpu", "a{1000}){1000}(?:"))
        .hasMessageContaining("too large");
    // RE2 reads "[!-[:]" as a range and ':', not as the start of a POSIX class running to a later ":]".
    assertThatThrownBy(() -> LabelMatcher.regex("gpu", "[!-[:]((a{1000}){1000}){1000}[:]]"))
        .hasMessageContaining("too large");
    LabelMatcher big = LabelMatcher.regex("gpu", "(a{1000}){100}");
    assertThat(big.matches("a".repeat(100_000))).isTrue();
    assertThat(big.matches("a".repeat(99_999))).isFalse();
  }

  @Test
  void groupsNestedTooDeepAreRefusedWithoutOverflowingTheStack() {
    String deep = "(".repeat(5000) + "a" + ")".repeat(5000);
    assertThatThrownBy(() -> LabelMatcher.regex("gpu", deep)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more than " + RegexSize.MAX_DEPTH + " deep");
    assertThat(LabelMatcher.regex("gpu", "(".repeat(100) + "a" + ")".repeat(100)).matches("a")).isTrue();
  }

  /** The size estimate must not refuse the regexes dashboards write: classes, escapes, flags, named groups. */
  @Test
  void ordinaryRegexesPassTheSizeCheck() {
    assertThat(LabelMatcher.regex("a", "[a-z]{3,}").matches("abcd")).isTrue();
    assertThat(LabelMatcher.regex("a", "[]a]{2}").matches("]a")).isTrue();
    assertThat(LabelMatcher.regex("a", "[[:digit:]]+").matches("42")).isTrue();
    assertThat(LabelMatcher.regex("a", "\\p{Greek}+").matches("αβ")).isTrue();
    assertThat(LabelMatcher.regex("a", "\\x{41}{2}").matches("AA")).isTrue();
    assertThat(LabelMatcher.regex("a", "(?i)gpu-(?P<n>[0-9]+)").matches("GPU-7")).isTrue();
    assertThat(LabelMatcher.regex("a", "\\Q.*\\E").matches(".*")).isTrue();
    assertThat(LabelMatcher.regex("a", "a{b").matches("a{b")).isTrue();
    assertThat(LabelMatcher.regex("a", "x{0,1000}").matches("x".repeat(1000))).isTrue();
  }

  /** Grafana's multi-value variables: "(v1|v2)" with metacharacters escaped, of any length, as a set lookup. */
  @Test
  void grafanaMultiValueAlternationsAreLiteralSetsOfAnyLength() {
    LabelMatcher m = LabelMatcher.regex("pod", "(trainer-0\\.a|trainer-1)");
    assertThat(m.setMatches()).containsExactly("trainer-0.a", "trainer-1");
    assertThat(m.matches("trainer-0.a")).isTrue();
    assertThat(m.matches("trainer-0xa")).isFalse();
    assertThat(m.matches("trainer-1")).isTrue();
    assertThat(LabelMatcher.regex("pod", "(a)|(b)").setMatches()).as("not one group").isNull();
    // Grafana escapes only RE2's metacharacters: values with '%', '<', '#', spaces or accents stay a set.
    LabelMatcher raw = LabelMatcher.regex("team", "(team\\.a%2F<i>|ops #2|équipe)");
    assertThat(raw.setMatches()).containsExactly("team.a%2F<i>", "ops #2", "équipe");
    assertThat(raw.matches("ops #2")).isTrue();
    assertThat(raw.matches("team.a%2F<i>")).isTrue();
    assertThat(raw.matches("teamXa%2F<i>")).isFalse();
    assertThat(LabelMatcher.regex("pod", "a\\d").setMatches()).as("\\d is a class").isNull();

    StringBuilder many = new StringBuilder("(");
    for (int i = 0; i < 300_000; i++) {
      many.append(i == 0 ? "" : "|").append("pod-").append(i).append("\\.ns");
    }
    LabelMatcher pods = LabelMatcher.regex("pod", many.append(')').toString());
    assertThat(pods.matches("pod-299999.ns")).isTrue();
    assertThat(pods.matches("pod-300000.ns")).isFalse();
    assertThat(LabelMatcher.notRegex("pod", many.toString()).matches("pod-7.ns")).isFalse();
  }

  @Test
  void errorsQuoteOnlyTheStartOfAHugeRegex() {
    String huge = "x".repeat(10_000) + "(";
    assertThatThrownBy(() -> LabelMatcher.regex("gpu", huge)).hasMessageContaining("gpu")
        .hasMessageContaining("(10001 characters)").hasMessageContaining("missing closing )")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
    String tooLong = "x+".repeat(RegexSize.MAX_LENGTH);
    assertThatThrownBy(() -> LabelMatcher.regex("gpu", tooLong))
        .hasMessageContaining("is " + tooLong.length() + " characters long, over the limit of " + RegexSize.MAX_LENGTH)
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
  }
}
