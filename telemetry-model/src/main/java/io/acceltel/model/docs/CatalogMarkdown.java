package io.acceltel.model.docs;

import io.acceltel.model.catalog.DeviceLabels;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.catalog.Source;
import java.util.List;
import java.util.Map;

/** Renders the metric catalog as {@code docs/metrics.md}; a test keeps the committed file equal to this output. */
public final class CatalogMarkdown {
  private CatalogMarkdown() {}

  public static String render(List<MetricDefinition> catalog) {
    StringBuilder out = new StringBuilder();
    out.append("# Metrics reference\n\n")
        .append("Generated from `telemetry-model/src/main/java/io/acceltel/model/catalog/MetricCatalog.java` ")
        .append("by `CatalogMarkdown`; do not edit by hand. Regenerate with ")
        .append("`mvn -pl telemetry-model test -Dacceltel.docs.update=true`.\n\n")
        .append("Every device metric carries the labels `")
        .append(String.join("`, `", DeviceLabels.NAMES))
        .append("`, plus attribution labels when the device is allocated to a pod. ")
        .append("Ratios are 0..1. A metric the device does not support is absent for that device, never zero.\n\n");
    out.append("| Metric | Type | Extra labels | Help |");
    for (Source s : Source.values()) {
      out.append(' ').append(s.title()).append(" |");
    }
    out.append("\n|---|---|---|---|");
    out.append("---|".repeat(Source.values().length)).append('\n');
    for (MetricDefinition m : catalog) {
      out.append("| `").append(m.name()).append("` | ").append(m.type().lowerCase()).append(" | ")
          .append(m.labelNames().isEmpty() ? "" : "`" + String.join("`, `", m.labelNames()) + "`")
          .append(m.perDevice() ? "" : " (no device labels)")
          .append(" | ").append(escape(m.help())).append(" |");
      Map<Source, String> sources = m.sources();
      for (Source s : Source.values()) {
        String src = sources.get(s);
        out.append(' ').append(src == null ? "–" : escape(src)).append(" |");
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static String escape(String text) {
    return text.replace("|", "\\|");
  }
}
