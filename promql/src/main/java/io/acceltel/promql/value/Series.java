package io.acceltel.promql.value;

import io.acceltel.model.series.Labels;

/** One series of a matrix: labels and points in time order. */
public record Series(Labels labels, long[] timestamps, double[] values) {}
