package io.acceltel.model.snapshot;

import io.acceltel.model.catalog.MetricDefinition;
import java.util.List;

/** Where a device backend puts what it read. The convenience methods check label arity through {@link Reading}. */
public interface ReadingSink {
  void add(Reading reading);

  default void set(MetricDefinition metric, double value) {
    add(new Reading(metric, List.of(), value));
  }

  default void set(MetricDefinition metric, String labelValue, double value) {
    add(new Reading(metric, List.of(labelValue), value));
  }

  default void set(MetricDefinition metric, List<String> labelValues, double value) {
    add(new Reading(metric, labelValues, value));
  }
}
