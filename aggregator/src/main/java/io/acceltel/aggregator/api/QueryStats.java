package io.acceltel.aggregator.api;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The query API's self-metrics, in the aggregator's registry (served at its {@code /metrics}): requests by endpoint
 * and outcome ({@code success} or the error type, {@code unavailable} for refusals), their duration, and the samples
 * queries read from storage.
 *
 * <pre>{@code
 * QueryStats stats = new QueryStats(registry);
 * stats.observe("query_range", "success", seconds, samplesRead);
 * }</pre>
 */
final class QueryStats {
  private final Counter requests;
  private final Histogram duration;
  private final Counter samples;

  QueryStats(PrometheusRegistry registry) {
    requests = Counter.builder().name("acceltel_aggregator_api_requests_total")
        .help("Query API requests by endpoint and outcome (success, or the error type: bad_data, execution, "
            + "timeout, canceled, unavailable, internal).")
        .labelNames("endpoint", "outcome").register(registry);
    duration = Histogram.builder().name("acceltel_aggregator_api_request_duration_seconds")
        .help("Query API request duration from arrival to the answer being ready (queue time included), by "
            + "endpoint.")
        .labelNames("endpoint").classicOnly()
        .classicUpperBounds(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
        .register(registry);
    samples = Counter.builder().name("acceltel_aggregator_query_samples_read_total")
        .help("Samples (raw samples or tier windows) queries read from storage.").register(registry);
  }

  void observe(String endpoint, String outcome, double seconds, long samplesRead) {
    requests.labelValues(endpoint, outcome).inc();
    duration.labelValues(endpoint).observe(seconds);
    if (samplesRead > 0) {
      samples.inc(samplesRead);
    }
  }
}
