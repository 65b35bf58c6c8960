package io.acceltel.aggregator.query;

import io.acceltel.aggregator.storage.WindowColumn;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which per-window aggregate of a downsampled tier a selection reads as its plain sample values, chosen from the
 * function or aggregation around the selector ({@link io.acceltel.promql.storage.SelectHints#function()}).
 *
 * <pre>{@code
 * Aggregate.forFunction("max_over_time");   // MAX
 * Aggregate.forFunction("rate");            // COUNTER
 * Aggregate.forFunction("");                // LAST: plain selectors read the window's last sample
 * }</pre>
 *
 * <table>
 *   <caption>function to aggregate</caption>
 *   <tr><td>{@code min}, {@code min_*} ({@code min_over_time})</td><td>{@link #MIN}</td></tr>
 *   <tr><td>{@code max}, {@code max_*} ({@code max_over_time})</td><td>{@link #MAX}</td></tr>
 *   <tr><td>{@code rate}, {@code increase}, {@code irate}</td><td>{@link #COUNTER}, the reset-corrected running
 *       total</td></tr>
 *   <tr><td>{@code avg_over_time}</td><td>{@link #AVG}, sum / count of the window</td></tr>
 *   <tr><td>{@code count_over_time}</td><td>{@link #COUNT}</td></tr>
 *   <tr><td>{@code sum_over_time}</td><td>{@link #SUM}</td></tr>
 *   <tr><td>anything else, and plain selectors</td><td>{@link #LAST}</td></tr>
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

  public static Aggregate forFunction(String function) {
    if (function == null || function.isEmpty()) {
      return LAST;
    }
    switch (function) {
      case "min", "min_over_time":
        return MIN;
      case "max", "max_over_time":
        return MAX;
      case "rate", "increase", "irate":
        return COUNTER;
      case "avg_over_time":
        return AVG;
      case "count_over_time":
        return COUNT;
      case "sum_over_time":
        return SUM;
      default:
        if (function.startsWith("min_")) {
          return MIN;
        }
        if (function.startsWith("max_")) {
          return MAX;
        }
        return LAST;
    }
  }
}
