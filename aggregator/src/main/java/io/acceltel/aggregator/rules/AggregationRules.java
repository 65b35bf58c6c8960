package io.acceltel.aggregator.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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

  public static List<AggregationRule> load(Path file) throws IOException {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    JsonNode list = root == null ? null : root.get("aggregation_rules");
    if (list == null || !list.isArray()) {
      throw new IllegalArgumentException(file + ": expected a list under aggregation_rules");
    }
    List<AggregationRule> rules = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode r = list.get(i);
      String where = file.getFileName() + ": aggregation_rules[" + i + "]";
      List<String> by = new ArrayList<>();
      if (r.has("by")) {
        r.get("by").forEach(n -> by.add(n.asText()));
      }
      try {
        rules.add(new AggregationRule(text(r, "record", where), text(r, "metric", where),
            AggregationRule.Op.parse(text(r, "op", where)), by, duration(r.path("interval").asText("10s"), where)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
      }
    }
    return rules;
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
