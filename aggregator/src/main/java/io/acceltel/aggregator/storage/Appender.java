package io.acceltel.aggregator.storage;

import io.acceltel.model.series.Labels;

/**
 * Writes samples. One thread at a time, and never during {@link Storage#checkpoint}; queries run concurrently from
 * other threads. Parallel writers each take a {@link Storage#newLane()} and keep to their own series.
 *
 * <pre>{@code
 * Appender app = storage.appender();
 * int ref = app.ref(Labels.of("__name__", "accelerator_power_watts", "node", "n1", "device", "0"));
 * app.append(ref, 1_700_000_000_000L, 612.5);   // cache ref while refGeneration() holds; no allocation
 * }</pre>
 */
public interface Appender {
  /**
   * The series' ref, creating the series when new. Refs stay valid while {@link #refGeneration()} stays the same:
   * a checkpoint that removes series that stopped renumbers the rest. Cache refs keyed by the generation.
   */
  int ref(Labels labels);

  /** Changes whenever refs handed out before become void (see {@link RefRenumbering}); 0 while they never do. */
  default long refGeneration() {
    return 0;
  }

  /**
   * Appends a sample. Any double is stored bit-exactly, NaN payloads and Prometheus's staleness marker
   * ({@code 0x7ff0000000000002}) included; staleness markers are stored raw but are not samples for the tiers.
   */
  AppendResult append(int ref, long timestampMillis, double value);
}
