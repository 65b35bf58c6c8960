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
}
