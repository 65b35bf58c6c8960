package io.acceltel.promql.engine;

import java.time.Duration;

/**
 * Per-query settings.
 *
 * @param lookbackDelta how far back an instant selector looks for a sample (Prometheus default 5m)
 * @param maxSamples the most samples a query may hold in memory at once; beyond it the query fails with execution
 * @param timeout how long evaluation may run; beyond it the query fails with timeout
 * @param maxSourceResolutionMillis {@code max_source_resolution}: 0 raw only, {@link
 *     io.acceltel.promql.storage.SelectHints#AUTO_RESOLUTION} automatic
 */
public record QueryOptions(Duration lookbackDelta, long maxSamples, Duration timeout, long maxSourceResolutionMillis) {
  public static final QueryOptions DEFAULT = new QueryOptions(Duration.ofMinutes(5), 50_000_000L,
      Duration.ofMinutes(2), io.acceltel.promql.storage.SelectHints.AUTO_RESOLUTION);
}
