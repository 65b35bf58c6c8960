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
  /** Whether a matcher accepts a label value; {@link LabelMatcher#matches} unless decided beforehand. */
  @FunctionalInterface
  public interface ValueMatches {
    boolean matches(LabelMatcher matcher, String value);
  }

  /** Every value asked of the matcher itself. */
  public static final ValueMatches EVALUATED = LabelMatcher::matches;

  private MatcherSelector() {
  }

  public static int[] select(LabelIndex index, List<LabelMatcher> matchers) {
    return select(index, matchers, EVALUATED);
  }

  /**
   * As {@link #select(LabelIndex, List)}, asking {@code matches} about each value a matcher scans: an index under a
   * lock gets regex results decided on a copy of its values before the lock was taken.
   */
  public static int[] select(LabelIndex index, List<LabelMatcher> matchers, ValueMatches matches) {
    List<int[]> subtract = new ArrayList<>();
    int[] result = null;
    for (LabelMatcher m : matchers) {
      if (m.matchesEmpty()) {
        continue;
      }
      int[] p = matching(index, m, true, matches);
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
        subtract.add(matching(index, m, false, matches));
      }
    }
    for (int[] s : subtract) {
      result = Postings.subtract(result, s);
    }
    return result;
  }

  /** Whether selecting with the matcher tests every value of its label (a regex), rather than looking values up. */
  public static boolean scansValues(LabelMatcher m) {
    boolean regex = m.type() == LabelMatcher.Type.REGEX || m.type() == LabelMatcher.Type.NOT_REGEX;
    return regex && !(m.setMatches() != null && !m.matchesEmpty());
  }

  /** Union of the postings of the label's values that match (want=true) or do not match (want=false). */
  private static int[] matching(LabelIndex index, LabelMatcher m, boolean want, ValueMatches matches) {
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
      if (matches.matches(m, v) == want) {
        lists.add(index.postings(m.name(), v));
      }
    }
    return Postings.union(lists);
  }
}
