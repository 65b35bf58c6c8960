package io.acceltel.aggregator.storage;

/** What {@link Appender#append} did with a sample. */
public enum AppendResult {
  /** Stored in the head and fed to the tiers. */
  APPENDED,
  /**
   * Dropped: the timestamp is at or before the series' last one. Replaying Kafka after a restart hits this for
   * every sample the checkpoint already covers, which is what makes replay idempotent.
   */
  DUPLICATE_OR_OUT_OF_ORDER,
  /**
   * Dropped from raw: the time range it falls in was already written to a raw block (the sample is very late). It
   * still went to the tiers whose own blocks do not cover it yet.
   */
  TOO_OLD
}
