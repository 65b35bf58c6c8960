package io.acceltel.aggregator.ingest;

/** Prometheus naming rules for names that arrive from OTLP attributes or metric names. */
final class LabelNames {
  private LabelNames() {}

  /** Replaces every character outside [a-zA-Z0-9_] with '_' and prefixes a leading digit, as Prometheus does. */
  static String sanitize(String name) {
    StringBuilder out = null;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!ok || (i == 0 && c >= '0' && c <= '9')) {
        if (out == null) {
          out = new StringBuilder(name.length() + 4).append(name, 0, i);
        }
        if (i == 0 && c >= '0' && c <= '9') {
          out.append("key_").append(c);
        } else {
          out.append('_');
        }
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? name : out.toString();
  }

  /** Metric names may also contain ':' (recording rules). */
  static String sanitizeMetric(String name) {
    return sanitize(name.replace(':', '\u0000')).replace('\u0000', ':');
  }
}
