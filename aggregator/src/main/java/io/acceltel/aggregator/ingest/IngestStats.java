package io.acceltel.aggregator.ingest;

import io.acceltel.model.text.Excerpt;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The aggregator's ingest self-metrics, shared by the Kafka and remote_write paths (label {@code source}), and the
 * once-per-kind logging of poison records.
 */
public final class IngestStats {
  private static final Logger LOG = Logger.getLogger(IngestStats.class.getName());

  private final Counter samples;
  private final Counter dropped;
  private final Counter poison;
  private final Counter skipped;
  private final Counter failures;
  /** Records behind the end of each partition ("topic/partition"), as of the ingest's last poll. */
  private volatile Map<String, Long> kafkaLag = Map.of();
  private volatile int kafkaPartitionsHeld;
  private final Set<PoisonKind> logged = EnumSet.noneOf(PoisonKind.class);

  public IngestStats(PrometheusRegistry registry) {
    samples = Counter.builder().name("acceltel_aggregator_samples_appended_total")
        .help("Samples stored, by source (kafka, remote_write).").labelNames("source").register(registry);
    dropped = Counter.builder().name("acceltel_aggregator_samples_dropped_total")
        .help("Samples dropped, by source and reason: duplicate_or_out_of_order (at or before their series' last "
            + "timestamp: duplicates, Kafka replay), too_old (older than the raw blocks; still aggregated into the "
            + "tiers that take it), series_limit (of a new series while the head holds max-series), late (source "
            + "aggregation_rules: a sample that arrived after its rollup window was emitted), invalid (remote_write: "
            + "of a series with an invalid or repeated label name, no valid metric name, more than 128 labels, a name "
            + "over 1,024 or a value over 16,384 characters; or a timestamp missing, negative or more than 10 "
            + "minutes ahead).")
        .labelNames("source", "reason").register(registry);
    poison = Counter.builder().name("acceltel_aggregator_poison_records_total")
        .help("Records refused whole (undecodable, bad labels, bad timestamps), by source and kind; Kafka ones "
            + "are copied to the dead-letter topic.").labelNames("source", "kind").register(registry);
    skipped = Counter.builder().name("acceltel_aggregator_points_unsupported_total")
        .help("Data points of kinds acceltel does not store (histograms, summaries, delta sums).")
        .labelNames("source").register(registry);
    GaugeWithCallback.builder().name("acceltel_aggregator_kafka_lag_records")
        .help("Records between the aggregator's position and the end of each partition it consumes, asked of the "
            + "brokers every second. Growing: it falls behind (or replays after a restart), and the newest data is "
            + "not queryable yet. Absent while the brokers do not answer (see ingest_failures_total).")
        .labelNames("partition")
        .callback(cb -> kafkaLag.forEach((partition, records) -> cb.call(records, partition)))
        .register(registry);
    GaugeWithCallback.builder().name("acceltel_aggregator_kafka_partitions_held")
        .help("Partitions paused during a replay because they ran more than 5 minutes of data time (less with "
            + "blocks shorter than 20 minutes) ahead of the slowest partition still replaying: storage would "
            + "otherwise cut blocks that partition still fills and refuse its samples, and rollup windows would be "
            + "written without them. 0 when live.")
        .callback(cb -> cb.call(kafkaPartitionsHeld))
        .register(registry);
    failures = Counter.builder().name("acceltel_aggregator_ingest_failures_total")
        .help("Times the ingest failed as a whole (a broker refusing the login, a storage error: retried from the "
            + "last stored offsets) or found Kafka unreachable (its brokers did not answer within 1 s; checked every "
            + "10 s while so), by source. Rising: the data is getting stale.")
        .labelNames("source").register(registry);
  }

  void kafkaLag(Map<String, Long> lag) {
    kafkaLag = Map.copyOf(lag);
  }

  void kafkaPartitionsHeld(int held) {
    kafkaPartitionsHeld = held;
  }

  void ingestFailed(String source) {
    failures.labelValues(source).inc();
  }

  void appended(String source, long n) {
    if (n > 0) {
      samples.labelValues(source).inc(n);
    }
  }

  public void dropped(String source, String reason, long n) {
    if (n > 0) {
      dropped.labelValues(source, reason).inc(n);
    }
  }

  void skipped(String source, long n) {
    if (n > 0) {
      skipped.labelValues(source).inc(n);
    }
  }

  /** Counts a poison record and logs the first of each kind, so a flood of bad records cannot flood the log. */
  public void poison(String source, PoisonRecordException e, String where) {
    poison.labelValues(source, e.kind().label()).inc();
    boolean first;
    synchronized (logged) {
      first = logged.add(e.kind());
    }
    if (first) {
      // Escaped: the message quotes the record (a label name), which may hold a line break or a terminal escape.
      LOG.warning(() -> "refused a " + e.kind().label() + " record from " + where + ": "
          + Excerpt.escaped(e.getMessage(), 4 * Excerpt.MAX_CHARS)
          + " (logged once per kind; see acceltel_aggregator_poison_records_total)");
    }
  }
}
