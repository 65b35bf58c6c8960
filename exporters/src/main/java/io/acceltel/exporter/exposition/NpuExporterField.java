package io.acceltel.exporter.exposition;

import io.acceltel.model.catalog.MetricDefinition;

/**
 * One npu-exporter metric and how to derive it from acceltel's readings of one device: a row of
 * {@link NpuExporterNameView}'s table.
 *
 * @param name npu-exporter's metric name, e.g. {@code npu_chip_info_power}
 * @param source the catalog metric it is derived from (for the coverage docs)
 * @param unitNote npu-exporter's unit where it differs from the catalog's, e.g. "MB", "%", "MHz"
 * @param extractor derives the value for one device; empty when the device has no such reading
 */
record NpuExporterField(String name, String help, MetricDefinition source, String unitNote,
    ReadingExtractor extractor) {}
