package io.acceltel.exporter.config;

import io.acceltel.model.config.ConfigException;
import io.acceltel.model.config.ConfigValues;
import io.acceltel.exporter.attribution.AttributionSettings;
import io.acceltel.exporter.attribution.ResourceNames;
import io.acceltel.exporter.attribution.pods.PodLabelMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code attribution.*} keys: their descriptions and their validation into {@link AttributionSettings}.
 *
 * <pre>{@code
 * # exporter.yaml
 * attribution:
 *   enabled: auto
 *   pod-labels:
 *     tenant.id: tenant_id
 *     volcano.sh/job-name: job_name
 * }</pre>
 *
 * <p>{@code attribution.pod-labels} is either one string {@code key=label,key=label} (flags, environment) or a YAML
 * mapping, which the flattened configuration sees as {@code attribution.pod-labels.<pod label key>} keys. Either
 * form replaces the default mapping as a whole; an empty string maps no pod labels (the pod watch still runs, for the
 * pods' phases).
 */
final class AttributionConfig {
  static final String POD_LABELS = "attribution.pod-labels";
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final int MAX_LABELS_LIMIT = 20;

  private AttributionConfig() {}

  static void describe(Map<String, String> keys) {
    keys.put("attribution.enabled", "device-to-pod attribution: auto (on in Kubernetes and with simulated devices), "
        + "true or false");
    keys.put("attribution.kubelet-socket", "the kubelet PodResources socket (default "
        + AttributionSettings.DEFAULT_SOCKET + ")");
    keys.put("attribution.resource-names", "extended resources to attribute, comma-separated; a trailing * is a "
        + "prefix (default " + String.join(",", ResourceNames.DEFAULT) + ")");
    keys.put("attribution.refresh", "how often the kubelet is asked, e.g. 2s; at least 100ms");
    keys.put(POD_LABELS, "pod label key to metric label name, key=label,... or a YAML mapping (default: "
        + "tenant.id=tenant_id,user.id=user_id,volcano.sh/job-name=job_name,volcano.sh/queue-name=queue,"
        + "volcano.sh/task-spec=task)");
    keys.put("attribution.max-labels", "at most this many pod labels per series, 0.." + MAX_LABELS_LIMIT
        + " (default " + AttributionSettings.DEFAULT_MAX_LABELS + ")");
    keys.put("attribution.max-value-length", "pod label values are cut to this many characters, 1..1024 (default "
        + AttributionSettings.DEFAULT_MAX_VALUE_LENGTH + ")");
  }

  /** A key of the YAML mapping form of attribution.pod-labels. */
  static boolean isPodLabelKey(String key) {
    return key.startsWith(POD_LABELS + ".") && key.length() > POD_LABELS.length() + 1;
  }

  static AttributionSettings parse(Map<String, String> v) throws ConfigException {
    AttributionSettings d = AttributionSettings.DEFAULT;
    String mode = v.getOrDefault("attribution.enabled", AttributionSettings.AUTO).trim();
    if (!List.of("auto", "true", "false").contains(mode)) {
      throw ConfigException.badValue("attribution.enabled", mode, "allowed values are auto, true, false");
    }
    String socket = v.getOrDefault("attribution.kubelet-socket", d.kubeletSocket().toString());
    if (socket.isBlank()) {
      throw ConfigException.badValue("attribution.kubelet-socket", socket, "the path of the kubelet's "
          + "pod-resources socket, e.g. " + AttributionSettings.DEFAULT_SOCKET);
    }
    ConfigValues values = new ConfigValues(v);
    List<String> resourceNames = values.list("attribution.resource-names", ResourceNames.DEFAULT);
    if (resourceNames.isEmpty()) {
      throw ConfigException.badValue("attribution.resource-names", v.get("attribution.resource-names"),
          "one or more resource names, e.g. " + String.join(",", ResourceNames.DEFAULT));
    }
    Duration refresh = values.duration("attribution.refresh", d.refresh(), Duration.ofMillis(100));
    int maxLabels = values.integer("attribution.max-labels", d.maxLabels(), 0, MAX_LABELS_LIMIT);
    int maxValueLength = values.integer("attribution.max-value-length", d.maxValueLength(), 1, 1024);
    Map<String, String> podLabels = podLabels(v, d.podLabels());
    if (podLabels.size() > maxLabels) {
      throw ConfigException.badValue(POD_LABELS, asText(podLabels), podLabels.size() + " pod labels are "
          + "mapped but attribution.max-labels is " + maxLabels + ": map fewer or raise the cap (at most "
          + MAX_LABELS_LIMIT + ")");
    }
    return new AttributionSettings(mode, Path.of(socket.trim()), ResourceNames.of(resourceNames), refresh,
        podLabels, maxLabels, maxValueLength);
  }

  private static Map<String, String> podLabels(Map<String, String> v, Map<String, String> defaults)
      throws ConfigException {
    Map<String, String> raw = new LinkedHashMap<>();
    boolean given = false;
    if (v.containsKey(POD_LABELS)) {
      given = true;
      String text = v.get(POD_LABELS);
      for (String pair : text.split(",")) {
        if (pair.isBlank()) {
          continue;
        }
        int eq = pair.lastIndexOf('=');
        if (eq <= 0 || eq == pair.length() - 1) {
          throw ConfigException.badValue(POD_LABELS, text, "pod-label-key=metric_label pairs separated by "
              + "commas, e.g. tenant.id=tenant_id,volcano.sh/job-name=job_name");
        }
        raw.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
      }
    }
    for (Map.Entry<String, String> e : v.entrySet()) {
      if (isPodLabelKey(e.getKey())) {
        given = true;
        raw.put(e.getKey().substring(POD_LABELS.length() + 1), e.getValue().trim());
      }
    }
    if (!given) {
      return defaults;
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : raw.entrySet()) {
      String key = POD_LABELS + "." + e.getKey();
      String label = e.getValue().isEmpty() ? "" : PodLabelMapper.sanitize(e.getValue());
      if (label.isEmpty() || !LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
        throw ConfigException.badValue(key, e.getValue(), "a metric label name such as tenant_id");
      }
      if (AttributionSettings.RESERVED_LABELS.contains(label)) {
        throw ConfigException.badValue(key, e.getValue(), "the exporter sets " + label + " itself; choose another "
            + "name (reserved: " + String.join(", ", AttributionSettings.RESERVED_LABELS) + ")");
      }
      if (out.containsValue(label)) {
        throw ConfigException.badValue(key, e.getValue(), "another pod label is already mapped to " + label);
      }
      out.put(e.getKey(), label);
    }
    return out;
  }

  private static String asText(Map<String, String> labels) {
    StringBuilder b = new StringBuilder();
    labels.forEach((k, l) -> b.append(b.length() == 0 ? "" : ",").append(k).append('=').append(l));
    return b.toString();
  }


}
