package io.acceltel.promql.engine;

import io.acceltel.model.series.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Numbers the groups of one aggregation densely, once per evaluator, and finds an input series' group cheaply at
 * every step. The input of a range query arrives in the same order step after step (selectors and window
 * functions hand out one {@link Labels} instance per series), so the group found for position {@code i} at the
 * previous step is checked first by identity; only a miss computes the grouping key and looks it up by value.
 *
 * <pre>{@code
 * GroupIndex index = ev.groupIndex(aggregateExpr, keyFunction);
 * int g = index.groupOf(i, sample.labels());
 * Labels groupLabels = index.labels(g);
 * }</pre>
 */
final class GroupIndex {
  private final UnaryOperator<Labels> keys;
  private final Map<Labels, Integer> byKey = new HashMap<>();
  private final List<Labels> groups = new ArrayList<>();
  private Labels[] lastInput = new Labels[0];
  private int[] lastGroup = new int[0];
  private StepTable rowsOf;
  private int[] rowGroups;

  /** {@code keys} maps an input label set to its group's labels; it runs only when the position check misses. */
  GroupIndex(UnaryOperator<Labels> keys) {
    this.keys = keys;
  }

  /** The group of the input series at {@code position} of this step's vector. */
  int groupOf(int position, Labels input) {
    if (position < lastInput.length && lastInput[position] == input) {
      return lastGroup[position];
    }
    Labels key = keys.apply(input);
    Integer g = byKey.get(key);
    if (g == null) {
      g = groups.size();
      groups.add(key);
      byKey.put(key, g);
    }
    if (position >= lastInput.length) {
      int n = Math.max(position + 1, lastInput.length * 2);
      lastInput = Arrays.copyOf(lastInput, n);
      lastGroup = Arrays.copyOf(lastGroup, n);
    }
    lastInput[position] = input;
    lastGroup[position] = g;
    return g;
  }

  /**
   * Every row's group for a step table, which has the same rows at every step: computed at the first step and kept
   * for the table's later steps.
   */
  int[] groupsOfRows(StepTable table) {
    if (rowsOf != table) {
      int[] groups = new int[table.rows()];
      for (int row = 0; row < groups.length; row++) {
        groups[row] = groupOf(row, table.labels(row));
      }
      rowGroups = groups;
      rowsOf = table;
    }
    return rowGroups;
  }

  /** The output labels of group {@code g}. */
  Labels labels(int g) {
    return groups.get(g);
  }

  /** How many groups have been seen so far. */
  int size() {
    return groups.size();
  }
}
