package io.acceltel.promql.value;

import io.acceltel.model.series.Labels;

/** One element of an instant vector. */
public record Sample(Labels labels, long timestampMillis, double value) {}
