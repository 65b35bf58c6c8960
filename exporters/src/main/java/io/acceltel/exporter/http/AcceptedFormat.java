package io.acceltel.exporter.http;

import java.util.Locale;

/**
 * Which exposition format a scrape's {@code Accept} header asks for, by HTTP content negotiation: media ranges with
 * their {@code q} weights, case-insensitive, {@code q=0} meaning "not this one", wildcards matching text. The
 * highest weight wins; among equal weights the earlier range (Prometheus lists its preferences in order). A header
 * that names none of the formats, or none at all, gets the Prometheus text format, as every exporter answers.
 *
 * <pre>{@code
 * AcceptedFormat.of("application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4")
 *     // OPENMETRICS
 * }</pre>
 */
enum AcceptedFormat {
  PROTOBUF,
  OPENMETRICS,
  TEXT;

  static AcceptedFormat of(String accept) {
    if (accept == null || accept.isBlank()) {
      return TEXT;
    }
    AcceptedFormat best = TEXT;
    double bestWeight = 0;
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      AcceptedFormat format = formatOf(parts);
      double weight = weightOf(parts);
      if (format != null && weight > bestWeight) {
        best = format;
        bestWeight = weight;
      }
    }
    return best;
  }

  /** The format a media range names; protobuf only as the delimited MetricFamily stream this serves. */
  private static AcceptedFormat formatOf(String[] parts) {
    String type = parts[0].strip().toLowerCase(Locale.ROOT);
    switch (type) {
      case "application/vnd.google.protobuf":
        return parameter(parts, "proto").equalsIgnoreCase("io.prometheus.client.MetricFamily")
            && parameter(parts, "encoding").equalsIgnoreCase("delimited") ? PROTOBUF : null;
      case "application/openmetrics-text":
        return OPENMETRICS;
      case "text/plain":
      case "text/*":
      case "*/*":
        return TEXT;
      default:
        return null;
    }
  }

  /** The {@code q} parameter, 1 when absent; an unreadable one counts as 0, as if the range were not there. */
  private static double weightOf(String[] parts) {
    String q = parameter(parts, "q");
    if (q.isEmpty()) {
      return 1;
    }
    try {
      double weight = Double.parseDouble(q);
      return weight >= 0 && weight <= 1 ? weight : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String parameter(String[] parts, String name) {
    for (int i = 1; i < parts.length; i++) {
      int eq = parts[i].indexOf('=');
      if (eq > 0 && parts[i].substring(0, eq).strip().equalsIgnoreCase(name)) {
        return parts[i].substring(eq + 1).strip().replace("\"", "");
      }
    }
    return "";
  }
}
