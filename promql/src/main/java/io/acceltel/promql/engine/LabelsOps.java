package io.acceltel.promql.engine;

import io.acceltel.model.series.Labels;
import java.util.Collection;

/** Label set operations the evaluator needs: dropping the metric name, keeping or removing a set of names. */
public final class LabelsOps {
  private LabelsOps() {}

  public static Labels dropMetricName(Labels l) {
    if (l.get(Labels.METRIC_NAME) == null) {
      return l;
    }
    return l.toBuilder().remove(Labels.METRIC_NAME).build();
  }

  /** Only the named labels (for {@code by} and {@code on}). */
  public static Labels keep(Labels l, Collection<String> names) {
    Labels.Builder b = new Labels.Builder();
    for (int i = 0; i < l.size(); i++) {
      if (names.contains(l.name(i))) {
        b.set(l.name(i), l.value(i));
      }
    }
    return b.build();
  }

  /** All labels but the named ones and, when {@code dropName}, the metric name (for {@code without}). */
  public static Labels without(Labels l, Collection<String> names, boolean dropName) {
    Labels.Builder b = new Labels.Builder();
    for (int i = 0; i < l.size(); i++) {
      String n = l.name(i);
      if (!names.contains(n) && !(dropName && n.equals(Labels.METRIC_NAME))) {
        b.set(n, l.value(i));
      }
    }
    return b.build();
  }

  /**
   * A matching signature: the values of the {@code on} labels, or of all labels but the {@code ignoring} ones and
   * the metric name, as Prometheus's {@code HashForLabels} / {@code HashWithoutLabels}.
   */
  public static Labels signature(Labels l, boolean on, Collection<String> names) {
    return on ? keep(l, names) : without(l, names, true);
  }

  /** Go's {@code labels.Labels.String()}: {@code {__name__="x", a="b"}}, used in Prometheus's messages. */
  public static String goString(Labels l) {
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < l.size(); i++) {
      if (i > 0) {
        b.append(", ");
      }
      b.append(l.name(i)).append('=').append(io.acceltel.promql.parser.GoStrings.quote(l.value(i)));
    }
    return b.append('}').toString();
  }
}
