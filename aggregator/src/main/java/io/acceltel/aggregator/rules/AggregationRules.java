package io.acceltel.aggregator.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.acceltel.model.config.ConfigException;
import io.acceltel.model.config.StrictYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads streaming aggregation rules from YAML. Every error names the rule, the key and what is allowed.
 *
 * <pre>{@code
 * aggregation_rules:
 *   - record: job:accelerator_utilization_ratio:avg10s
 *     metric: accelerator_utilization_ratio
 *     op: avg            # avg | sum | min | max | count
 *     by: [cluster, namespace, job_name]
 *     interval: 10s
 * }</pre>
 */
public final class AggregationRules {
  private AggregationRules() {}

  /** The rules the demo runs: per-job GPU utilization and power, the series a fleet dashboard reads. */
  public static List<AggregationRule> demoDefaults() {
    List<String> job = List.of("namespace", "job_name");
    Duration tenSeconds = Duration.ofSeconds(10);
    return List.of(
        new AggregationRule("job:accelerator_utilization_ratio:avg10s", "accelerator_utilization_ratio",
            AggregationRule.Op.AVG, job, tenSeconds),
        new AggregationRule("job:accelerator_utilization_ratio:max10s", "accelerator_utilization_ratio",
            AggregationRule.Op.MAX, job, tenSeconds),
        new AggregationRule("job:accelerator_power_watts:sum10s", "accelerator_power_watts",
            AggregationRule.Op.SUM, job, tenSeconds),
        new AggregationRule("node:accelerator_power_watts:sum10s", "accelerator_power_watts",
            AggregationRule.Op.SUM, List.of("node"), tenSeconds));
  }

  private static final Set<String> KEYS = new LinkedHashSet<>(List.of("record", "metric", "op", "by", "interval"));

  /**
   * Reads and checks a rules file. Beyond each rule's own checks it refuses what would silently compute something
   * else: unknown keys (a misspelt {@code interval} would fall back to 10s), a {@code by} that is not a list (a
   * per-job rollup would become one fleet-wide series), two rules with one record name, a rule writing into
   * its own input metric or another rule's (the rollups would mix with the series they summarize), a rule reading
   * another rule's output (rules read ingested samples only, so it would never write anything), and a counter as
   * input to anything but count (a group's sum of counter values drops when a series leaves it, which rate() reads
   * as a reset).
   */
  public static List<AggregationRule> load(Path file) throws IOException {
    // Two aggregation_rules blocks (or a key twice in one rule) would silently keep only the last, and a second
    // document would be ignored.
    JsonNode root;
    try {
      root = StrictYaml.read(Files.readString(file), file.toString());
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    JsonNode list = root == null ? null : root.get("aggregation_rules");
    if (list == null || !list.isArray()) {
      throw new IllegalArgumentException(file + ": expected a list under aggregation_rules");
    }
    List<AggregationRule> rules = new ArrayList<>();
    Map<String, Integer> outputs = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode r = list.get(i);
      String where = file.getFileName() + ": aggregation_rules[" + i + "]";
      if (!r.isObject()) {
        throw new IllegalArgumentException(where + ": expected a mapping with the keys " + KEYS);
      }
      r.fieldNames().forEachRemaining(key -> {
        if (!KEYS.contains(key)) {
          throw new IllegalArgumentException(where + ": unknown key '" + key + "'; allowed keys are " + KEYS);
        }
      });
      AggregationRule rule;
      try {
        rule = new AggregationRule(text(r, "record", where), text(r, "metric", where),
            AggregationRule.Op.parse(text(r, "op", where)), by(r.get("by"), where),
            duration(r.path("interval").asText("10s"), where));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
      }
      if (rule.record().equals(rule.metric())) {
        throw new IllegalArgumentException(where + ": record '" + rule.record() + "' is its own input metric; the "
            + "rollup would mix with the raw series: give it another name, such as job:" + rule.metric() + ":"
            + rule.op().name().toLowerCase(java.util.Locale.ROOT));
      }
      // One rule per record name: two with different `by` labels still write the same series for every input
      // that lacks those labels (an absent label groups under the empty value, which drops it).
      Integer earlier = outputs.putIfAbsent(rule.record(), i);
      if (earlier != null) {
        throw new IllegalArgumentException(where + ": record " + rule.record() + " is already written by "
            + "aggregation_rules[" + earlier + "]; give each rule its own record name, such as "
            + String.join("_", rule.by().isEmpty() ? List.of("all") : rule.by()) + ":" + rule.metric() + ":"
            + rule.op().name().toLowerCase(java.util.Locale.ROOT));
      }
      if (rule.metric().endsWith("_total") && rule.op() != AggregationRule.Op.COUNT) {
        throw new IllegalArgumentException(where + ": metric " + rule.metric() + " is a counter; a rollup of its "
            + "values drops whenever a series leaves the group, which rate() reads as a reset: aggregate it at query "
            + "time instead, sum by (" + String.join(", ", rule.by()) + ") (rate(" + rule.metric() + "[5m]))");
      }
      rules.add(rule);
    }
    for (int i = 0; i < rules.size(); i++) {
      for (int j = 0; j < rules.size(); j++) {
        if (rules.get(i).metric().equals(rules.get(j).record())) {
          throw new IllegalArgumentException(file.getFileName() + ": aggregation_rules[" + i + "] reads "
              + rules.get(i).metric() + ", which aggregation_rules[" + j + "] writes: rules read ingested samples "
              + "only, so it would never write anything; read the raw metric " + rules.get(j).metric()
              + " instead, or aggregate the rollup at query time");
        }
      }
    }
    return rules;
  }

  private static List<String> by(JsonNode node, String where) {
    List<String> by = new ArrayList<>();
    if (node == null || node.isNull()) {
      return by;
    }
    if (!node.isArray()) {
      throw new IllegalArgumentException(where + ": 'by' must be a list of label names, such as [namespace, "
          + "job_name]; got " + node);
    }
    for (JsonNode label : node) {
      if (!label.isTextual()) {
        throw new IllegalArgumentException(where + ": 'by' holds " + label + ", not a label name");
      }
      by.add(label.asText());
    }
    return by;
  }

  private static String text(JsonNode node, String key, String where) {
    JsonNode v = node.get(key);
    if (v == null || v.asText().isBlank()) {
      throw new IllegalArgumentException(where + ": '" + key + "' is required");
    }
    return v.asText();
  }

  private static Duration duration(String s, String where) {
    Duration d = io.acceltel.model.config.ConfigValues.parseDuration(s);
    if (d == null) {
      throw new IllegalArgumentException(where + ": interval '" + s + "' is not a duration like 10s, 1m or 1h");
    }
    return d;
  }

}
