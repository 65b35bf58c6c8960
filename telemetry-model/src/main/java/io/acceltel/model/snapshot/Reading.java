package io.acceltel.model.snapshot;

import io.acceltel.model.catalog.MetricDefinition;
import java.util.List;

/**
 * One value of one catalog metric for one device.
 *
 * @param labelValues values for {@link MetricDefinition#labelNames()}, in the same order
 */
public record Reading(MetricDefinition metric, List<String> labelValues, double value) {
  public Reading {
    labelValues = List.copyOf(labelValues);
    if (labelValues.size() != metric.labelNames().size()) {
      throw new IllegalArgumentException("metric " + metric.name() + " takes labels " + metric.labelNames()
          + " but got " + labelValues.size() + " values");
    }
  }
}
