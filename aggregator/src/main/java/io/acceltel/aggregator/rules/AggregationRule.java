package io.acceltel.aggregator.rules;

import io.acceltel.model.series.Labels;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A streaming aggregation computed at ingest and stored as an ordinary series, so a dashboard over thousands of GPUs
 * reads one series per group instead of aggregating every GPU's samples at query time.
 *
 * <pre>{@code
 * new AggregationRule("job:accelerator_utilization_ratio:avg10s", "accelerator_utilization_ratio",
 *     AggregationRule.Op.AVG, List.of("cluster", "namespace", "job_name"), Duration.ofSeconds(10));
 * }</pre>
 *
 * @param record the output metric name
 * @param metric the input metric name
 * @param by the grouping labels; series without one of them group under the empty value, as in PromQL
 * @param interval the window; outputs are stamped at the window's end
 */
public record AggregationRule(String record, String metric, Op op, List<String> by, Duration interval) {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  /**
   * What is computed per group and window. {@code sum} adds each series' mean over the window (so summing 1 s
   * power over 10 s gives watts, not watt-seconds); {@code count} counts series; the others run over all samples.
   */
  public enum Op {
    AVG, SUM, MIN, MAX, COUNT;

    public static Op parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown aggregation '" + s + "': use avg, sum, min, max or count");
      }
    }
  }

  public AggregationRule {
    Objects.requireNonNull(op, "op");
    by = List.copyOf(by);
    if (!NAME.matcher(record).matches()) {
      throw new IllegalArgumentException("aggregation rule record '" + record + "' is not a valid metric name");
    }
    if (!NAME.matcher(metric).matches()) {
      throw new IllegalArgumentException("aggregation rule metric '" + metric + "' is not a valid metric name");
    }
    for (String label : by) {
      if (!LABEL.matcher(label).matches() || label.equals(Labels.METRIC_NAME)) {
        throw new IllegalArgumentException("aggregation rule " + record + ": cannot group by '" + label + "'");
      }
    }
    if (interval.toMillis() < 1000) {
      throw new IllegalArgumentException("aggregation rule " + record + ": interval must be at least 1s");
    }
  }
}
