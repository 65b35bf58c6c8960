package io.acceltel.aggregator.query;

import io.acceltel.aggregator.storage.WindowColumn;
import io.acceltel.promql.storage.StoredSeries;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which per-window aggregate of a downsampled tier a selection reads as its plain sample values, chosen from the
 * function or aggregation around the selector ({@link io.acceltel.promql.storage.SelectHints#function()}).
 *
 * <pre>{@code
 * Aggregate.forFunction("max_over_time", true);   // MAX: max_over_time(x[5m])
 * Aggregate.forFunction("max_over_time", false);  // LAST: max_over_time(x[5m:1m]) reads x at the subquery steps
 * Aggregate.forFunction("rate", true);            // COUNTER
 * Aggregate.forFunction("", false);               // LAST: plain selectors read the window's last sample
 * }</pre>
 *
 * <table>
 *   <caption>function to aggregate</caption>
 *   <tr><td>{@code min} around an instant selector, {@code min_over_time} around a range</td><td>{@link #MIN}</td></tr>
 *   <tr><td>{@code max} around an instant selector, {@code max_over_time} around a range</td><td>{@link #MAX}</td></tr>
 *   <tr><td>{@code rate}, {@code increase}, {@code irate} around a range</td><td>{@link #COUNTER}, the
 *       reset-corrected running total</td></tr>
 *   <tr><td>{@code avg_over_time} around a range</td><td>{@link #AVG}, sum / count of the window</td></tr>
 *   <tr><td>{@code count_over_time} around a range</td><td>{@link #COUNT}</td></tr>
 *   <tr><td>{@code sum_over_time} around a range</td><td>{@link #SUM}</td></tr>
 *   <tr><td>anything else, plain selectors, and the selectors of subqueries</td><td>{@link #LAST}</td></tr>
 * </table>
 */
public enum Aggregate {
  MIN(WindowColumn.MIN),
  MAX(WindowColumn.MAX),
  COUNTER(WindowColumn.COUNTER),
  AVG(WindowColumn.SUM, WindowColumn.COUNT),
  COUNT(WindowColumn.COUNT),
  SUM(WindowColumn.SUM),
  LAST(WindowColumn.LAST);

  private final Set<WindowColumn> columns;

  Aggregate(WindowColumn first, WindowColumn... rest) {
    EnumSet<WindowColumn> c = EnumSet.of(first, rest);
    // The engine takes a window's sample value from the last column for the *_over_time functions that read
    // sum and count through the aggregates, so those read it too.
    if (c.contains(WindowColumn.SUM) || c.contains(WindowColumn.COUNT)) {
      c.add(WindowColumn.LAST);
    }
    columns = Collections.unmodifiableSet(c);
  }

  /** The tier columns a selection with this aggregate reads; the others are not decoded. */
  public Set<WindowColumn> columns() {
    return columns;
  }

  /**
   * The columns a selector reads, from the function around it and whether the selector has a range: the engine's
   * choice of column ({@code Column.forSelector}), which reads a column this did not decode as an error, plus the
   * sum and count the avg/count/sum_over_time functions read through the aggregates. A selector without a range
   * inside {@code max_over_time} is a subquery's: the engine reads its last values there.
   */
  public static Aggregate forFunction(String function, boolean range) {
    Aggregate throughAggregates = !range || function == null ? null : switch (function) {
      case "avg_over_time" -> AVG;
      case "count_over_time" -> COUNT;
      case "sum_over_time" -> SUM;
      default -> null;
    };
    if (throughAggregates != null) {
      return throughAggregates;
    }
    return switch (StoredSeries.WindowAggregates.Column.forSelector(function, range)) {
      case MIN -> MIN;
      case MAX -> MAX;
      case COUNTER -> COUNTER;
      case LAST -> LAST;
    };
  }
}
