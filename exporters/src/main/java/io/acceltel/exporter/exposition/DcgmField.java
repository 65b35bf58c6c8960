package io.acceltel.exporter.exposition;

import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.catalog.MetricType;

/**
 * One dcgm-exporter metric and how to derive it from acceltel's readings of one device: a row of
 * {@link DcgmNameView}'s table.
 *
 * @param name the DCGM field name, which dcgm-exporter uses as the metric name
 * @param source the catalog metric it is derived from (for the coverage docs)
 * @param unitNote how the value differs from the catalog's unit, e.g. "MiB", "%", "mJ"
 * @param extractor derives the value for one device; empty when the device has no such reading
 */
record DcgmField(String name, MetricType type, String help, MetricDefinition source, String unitNote,
    ReadingExtractor extractor) {}
