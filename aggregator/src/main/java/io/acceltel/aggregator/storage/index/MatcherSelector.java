package io.acceltel.aggregator.storage.index;

import io.acceltel.model.series.LabelMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves label matchers to postings with Prometheus's semantics, where an absent label equals the empty string.
 * A matcher that does not match "" (e.g. {@code job="a"}, {@code job!=""}, {@code job=~".+"}) intersects with the
 * union of the postings of its matching values. A matcher that matches "" (e.g. {@code job=""}, {@code job!="a"},
 * {@code job=~"a|"}) also selects series lacking the label, so it is applied by subtraction: remove the series whose
 * value does not match. When no matcher is of the first kind, selection starts from every series.
 *
 * <pre>{@code
 * int[] refs = MatcherSelector.select(index, List.of(LabelMatcher.equal("__name__", "up")));
 * }</pre>
 */
public final class MatcherSelector {
  private MatcherSelector() {
  }

  public static int[] select(LabelIndex index, List<LabelMatcher> matchers) {
    List<int[]> subtract = new ArrayList<>();
    int[] result = null;
    for (LabelMatcher m : matchers) {
      if (m.matchesEmpty()) {
        continue;
      }
      int[] p = matching(index, m, true);
      result = result == null ? p : Postings.intersect(result, p);
      if (result.length == 0) {
        return result; // nothing left to subtract from
      }
    }
    if (result == null) {
      result = index.allPostings();
    }
    for (LabelMatcher m : matchers) {
      if (m.matchesEmpty()) {
        subtract.add(matching(index, m, false));
      }
    }
    for (int[] s : subtract) {
      result = Postings.subtract(result, s);
    }
    return result;
  }

  /** Union of the postings of the label's values that match (want=true) or do not match (want=false). */
  private static int[] matching(LabelIndex index, LabelMatcher m, boolean want) {
    if (want && m.type() == LabelMatcher.Type.EQUAL) {
      return index.postings(m.name(), m.value());
    }
    if (want && m.setMatches() != null) {
      List<int[]> lists = new ArrayList<>();
      for (String v : m.setMatches()) {
        if (!v.isEmpty()) {
          lists.add(index.postings(m.name(), v));
        }
      }
      return Postings.union(lists);
    }
    if (!want && m.type() == LabelMatcher.Type.NOT_EQUAL) {
      return index.postings(m.name(), m.value());
    }
    List<int[]> lists = new ArrayList<>();
    for (String v : index.values(m.name())) {
      if (m.matches(v) == want) {
        lists.add(index.postings(m.name(), v));
      }
    }
    return Postings.union(lists);
  }
}
