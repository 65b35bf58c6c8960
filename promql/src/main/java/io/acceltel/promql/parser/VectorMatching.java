package io.acceltel.promql.parser;

import java.util.List;

/**
 * How the two sides of a binary operation between vectors are matched.
 *
 * @param on true for {@code on(...)}, false for {@code ignoring(...)} or no clause
 * @param labels the on/ignoring labels
 * @param include the group_left/group_right labels copied from the "one" side
 */
public record VectorMatching(Cardinality card, boolean on, List<String> labels, List<String> include) {
  /** Matching cardinality. */
  public enum Cardinality { ONE_TO_ONE, MANY_TO_ONE, ONE_TO_MANY, MANY_TO_MANY }

  public VectorMatching {
    labels = List.copyOf(labels);
    include = List.copyOf(include);
  }
}
