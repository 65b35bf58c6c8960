package io.acceltel.aggregator.storage;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.List;
import java.util.Map;

/**
 * The storage's own state as metrics, read at scrape time: how many series the head holds and what they take, what
 * the blocks take per resolution, and whether checkpoints succeed. What an operator watches to size the aggregator
 * and to learn that it stopped persisting. One collector, so that a scrape walks the head once.
 *
 * <pre>{@code
 * StorageMetrics.register(storage, settings.maxSeries(), registry);
 * }</pre>
 */
public final class StorageMetrics implements MultiCollector {
  private static final List<String> NAMES = List.of("acceltel_aggregator_head_series",
      "acceltel_aggregator_head_series_removed", "acceltel_aggregator_head_series_limit",
      "acceltel_aggregator_head_samples", "acceltel_aggregator_head_chunk_bytes", "acceltel_aggregator_block_bytes",
      "acceltel_aggregator_blocks", "acceltel_aggregator_newest_sample_timestamp_seconds",
      "acceltel_aggregator_last_checkpoint_timestamp_seconds",
      "acceltel_aggregator_checkpoint_failures");

  private final Storage storage;
  private final long seriesLimit;

  /** @param seriesLimit the ingest's max-series, shown next to the head's series so alerts can compare them */
  public StorageMetrics(Storage storage, long seriesLimit) {
    this.storage = storage;
    this.seriesLimit = seriesLimit;
  }

  public static void register(Storage storage, long seriesLimit, PrometheusRegistry registry) {
    registry.register(new StorageMetrics(storage, seriesLimit));
  }

  @Override
  public MetricSnapshots collect() {
    StorageStats s = storage.stats();
    return MetricSnapshots.of(
        gauge("acceltel_aggregator_head_series", "Series in the head (the in-memory part): live ones, and stopped "
            + "ones until all their data is in blocks.", null, point(s.series())),
        gauge("acceltel_aggregator_head_series_limit", "Series the head may hold (max-series); beyond it samples of "
            + "new series are dropped. Alert before acceltel_aggregator_head_series reaches it.", null,
            point(seriesLimit)),
        counter("acceltel_aggregator_head_series_removed", "Series removed from the head after they stopped, once all "
            + "their data was in blocks (they stay queryable there).", s.seriesRemoved()),
        gauge("acceltel_aggregator_head_samples", "Raw samples in the head, not yet in a block.", null,
            point(s.headRawSamples())),
        gauge("acceltel_aggregator_head_chunk_bytes",
            "Encoded bytes of the head's chunks, raw and tiers (without per-series overhead).", Unit.BYTES,
            point(s.headRawBytes(), "raw"), point(s.headTierBytes(), "tiers")),
        gauge("acceltel_aggregator_block_bytes", "Bytes of the on-disk blocks, by resolution.", Unit.BYTES,
            perResolution(s.diskBytes())),
        gauge("acceltel_aggregator_blocks", "On-disk blocks, by resolution.", null, perResolution(s.blocks())),
        gauge("acceltel_aggregator_newest_sample_timestamp_seconds", "Time of the newest sample stored (0 before the "
            + "first). time() minus it: how stale the newest data is.", Unit.SECONDS,
            point(Math.max(0, storage.newestSampleMillis()) / 1000.0)),
        gauge("acceltel_aggregator_last_checkpoint_timestamp_seconds", "When the last checkpoint succeeded (0 before "
            + "the first). Falling behind: the head grows and a restart replays more from Kafka.", Unit.SECONDS,
            point(storage.lastCheckpointMillis() / 1000.0)),
        counter("acceltel_aggregator_checkpoint_failures", "Checkpoints that failed (logged with the cause); the "
            + "next one retries, and Kafka still holds the data.", storage.checkpointFailures()));
  }

  private static CounterSnapshot counter(String name, String help, double value) {
    return CounterSnapshot.builder().name(name).help(help)
        .dataPoint(CounterDataPointSnapshot.builder().value(value).build()).build();
  }

  @Override
  public List<String> getPrometheusNames() {
    return NAMES;
  }

  private static GaugeSnapshot gauge(String name, String help, Unit unit, GaugeDataPointSnapshot... points) {
    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
    for (GaugeDataPointSnapshot p : points) {
      b.dataPoint(p);
    }
    return unit == null ? b.build() : b.unit(unit).build();
  }

  private static GaugeDataPointSnapshot[] perResolution(Map<Resolution, ? extends Number> values) {
    return values.entrySet().stream().map(e -> point(e.getValue().doubleValue(), e.getKey().toString()))
        .toArray(GaugeDataPointSnapshot[]::new);
  }

  private static GaugeDataPointSnapshot point(double value) {
    return GaugeDataPointSnapshot.builder().value(value).build();
  }

  private static GaugeDataPointSnapshot point(double value, String resolution) {
    return GaugeDataPointSnapshot.builder().value(value).labels(Labels.of("resolution", resolution)).build();
  }
}
