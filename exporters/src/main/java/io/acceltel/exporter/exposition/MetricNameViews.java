package io.acceltel.exporter.exposition;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;

/** The name views on the class path, by name. */
public final class MetricNameViews {
  private final Map<String, MetricNameView> views = new LinkedHashMap<>();

  private MetricNameViews() {}

  public static MetricNameViews discover() {
    MetricNameViews found = new MetricNameViews();
    for (MetricNameView view : ServiceLoader.load(MetricNameView.class)) {
      found.views.put(view.name(), view);
    }
    return found;
  }

  public Optional<MetricNameView> byName(String name) {
    return Optional.ofNullable(views.get(name));
  }

  public Set<String> names() {
    return views.keySet();
  }
}
