package io.acceltel.exporter.attribution.pods;

import io.acceltel.exporter.attribution.AttributionSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a pod's Kubernetes labels into metric labels: only the allowlisted keys, renamed to sanitized label names,
 * values cut to a maximum length, at most a maximum number of labels. These are the cardinality guards: an arbitrary
 * pod label never becomes a metric label.
 *
 * <pre>{@code
 * PodLabelMapper mapper = PodLabelMapper.of(settings);
 * mapper.map(Map.of("tenant.id", "12027394361880000", "app", "x"));   // {tenant_id=12027394361880000}
 * }</pre>
 */
public final class PodLabelMapper {
  private final List<String> podKeys;
  private final List<String> labelNames;
  private final int maxValueLength;

  private PodLabelMapper(List<String> podKeys, List<String> labelNames, int maxValueLength) {
    this.podKeys = podKeys;
    this.labelNames = labelNames;
    this.maxValueLength = maxValueLength;
  }

  /** Mappings past {@code maxLabels} are dropped here too (the configuration already rejects them). */
  public static PodLabelMapper of(AttributionSettings settings) {
    List<String> keys = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Map.Entry<String, String> e : settings.podLabels().entrySet()) {
      if (keys.size() == settings.maxLabels()) {
        break;
      }
      keys.add(e.getKey());
      names.add(sanitize(e.getValue()));
    }
    return new PodLabelMapper(List.copyOf(keys), List.copyOf(names), settings.maxValueLength());
  }

  /** The metric label names, in exposition order. */
  public List<String> labelNames() {
    return labelNames;
  }

  public boolean isEmpty() {
    return podKeys.isEmpty();
  }

  /** The metric labels for a pod with these Kubernetes labels, in configuration order; absent keys are left out. */
  public Map<String, String> map(Map<String, String> podLabels) {
    if (podLabels == null || podLabels.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < podKeys.size(); i++) {
      String value = podLabels.get(podKeys.get(i));
      if (value != null && !value.isEmpty()) {
        out.put(labelNames.get(i), truncate(value, maxValueLength));
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * A valid Prometheus label name from any string: characters outside {@code [a-zA-Z0-9_]} become {@code _}, a
   * leading digit gets a {@code _} prefix ({@code volcano.sh/job-name} becomes {@code volcano_sh_job_name}).
   */
  public static String sanitize(String name) {
    StringBuilder b = new StringBuilder(name.length() + 1);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      b.append(ok ? c : '_');
    }
    if (b.length() == 0 || Character.isDigit(b.charAt(0))) {
      b.insert(0, '_');
    }
    return b.toString();
  }

  /** Cuts to at most {@code max} characters without splitting a surrogate pair. */
  static String truncate(String value, int max) {
    if (value.length() <= max) {
      return value;
    }
    int end = max;
    if (Character.isHighSurrogate(value.charAt(end - 1))) {
      end--;
    }
    return value.substring(0, end);
  }
}
