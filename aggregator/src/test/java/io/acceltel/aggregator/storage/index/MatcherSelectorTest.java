package io.acceltel.aggregator.storage.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.series.Labels;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Regex verdicts decided beforehand (on a copy of the head's values, outside its locks) are what the selection
 * under the lock uses; values that arrived since are evaluated there.
 */
class MatcherSelectorTest {
  /** Series 0..2 with pod values a, b and c. */
  private static final LabelIndex PODS = new LabelIndex() {
    private final List<String> pods = List.of("a", "b", "c");

    @Override
    public int[] allPostings() {
      return new int[] {0, 1, 2};
    }

    @Override
    public Collection<String> values(String name) {
      return name.equals("pod") ? pods : List.of();
    }

    @Override
    public int[] postings(String name, String value) {
      int i = pods.indexOf(value);
      return name.equals("pod") && i >= 0 ? new int[] {i} : Postings.EMPTY;
    }

    @Override
    public Labels labels(int ref) {
      return Labels.of("pod", pods.get(ref));
    }
  };

  /** A negative list of literals selects every value but those: !~"a|" (which does not match "") is b and c. */
  @Test
  void aNegativeListOfLiteralsSelectsTheOtherValues() {
    assertThat(MatcherSelector.select(PODS, List.of(LabelMatcher.notRegex("pod", "a|")))).containsExactly(1, 2);
    assertThat(MatcherSelector.select(PODS, List.of(LabelMatcher.notRegex("pod", "a|b")))).containsExactly(2);
    assertThat(MatcherSelector.select(PODS, List.of(LabelMatcher.regex("pod", "a|b")))).containsExactly(0, 1);
  }

  @Test
  void verdictsDecidedBeforehandAreUsedAndNewValuesEvaluated() {
    LabelMatcher podsAOrB = LabelMatcher.regex("pod", "a.*|b.*");
    assertThat(MatcherSelector.scansValues(podsAOrB)).isTrue();
    assertThat(MatcherSelector.scansValues(LabelMatcher.regex("pod", "a|b"))).as("a literal set is looked up")
        .isFalse();
    assertThat(MatcherSelector.select(PODS, List.of(podsAOrB))).containsExactly(0, 1);

    // Decided on a copy of the values taken earlier, when only a and b existed; c arrived since.
    Map<String, Boolean> decided = new LinkedHashMap<>(Map.of("a", false, "b", true));
    List<String> evaluated = new ArrayList<>();
    int[] refs = MatcherSelector.select(PODS, List.of(podsAOrB), (m, v) -> {
      Boolean verdict = decided.get(v);
      if (verdict != null) {
        return verdict;
      }
      evaluated.add(v);
      return m.matches(v);
    });
    assertThat(refs).as("the decided verdict for a, not a fresh evaluation").containsExactly(1);
    assertThat(evaluated).containsExactly("c");

    // A negative matcher (it matches the empty value, so it selects by removing what it rejects) too: verdicts that
    // reject only c, though a.* evaluated would reject a.
    LabelMatcher notA = LabelMatcher.notRegex("pod", "a.*");
    assertThat(MatcherSelector.select(PODS, List.of(notA))).containsExactly(1, 2);
    assertThat(MatcherSelector.select(PODS, List.of(notA), (m, v) -> !v.equals("c"))).containsExactly(0, 1);
  }
}
