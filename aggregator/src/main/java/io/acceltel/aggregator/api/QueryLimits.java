package io.acceltel.aggregator.api;

import java.time.Duration;

/**
 * Limits of the query API, validated at construction (errors name the setting, the bad value and what is allowed).
 *
 * <pre>{@code
 * QueryLimits limits = QueryLimits.DEFAULT.withTimeout(Duration.ofSeconds(30)).withMaxSamples(10_000_000);
 * }</pre>
 *
 * @param timeout longest evaluation; a request's {@code timeout} parameter can only shorten it (Prometheus
 *     {@code --query.timeout}, default 2m)
 * @param maxSamples samples a query may hold (engine) and read from storage; beyond it: {@code execution} 422
 *     (Prometheus {@code --query.max-samples}, default 50,000,000)
 * @param maxSeries series one selector may select; beyond it: {@code execution} 422
 * @param maxConcurrent queries evaluated at once (Prometheus {@code --query.max-concurrency}, default 20)
 * @param maxQueued queries waiting for a worker; beyond it the request is refused at once with 503
 * @param slowQueryThreshold queries slower than this are logged (one line: query, duration, samples)
 * @param lookbackDelta default lookback of instant selectors (Prometheus {@code --query.lookback-delta}, 5m)
 */
public record QueryLimits(Duration timeout, long maxSamples, int maxSeries, int maxConcurrent, int maxQueued,
    Duration slowQueryThreshold, Duration lookbackDelta) {
  /** Prometheus's limit on points per series of a range query. */
  public static final int MAX_POINTS_PER_SERIES = 11_000;
  public static final QueryLimits DEFAULT = new QueryLimits(Duration.ofMinutes(2), 50_000_000L, 500_000, 20, 100,
      Duration.ofSeconds(5), Duration.ofMinutes(5));

  public QueryLimits {
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("query.timeout = " + timeout + ": give a positive duration");
    }
    if (maxSamples <= 0) {
      throw new IllegalArgumentException("query.maxSamples = " + maxSamples + ": give a positive number");
    }
    if (maxSeries <= 0) {
      throw new IllegalArgumentException("query.maxSeries = " + maxSeries + ": give a positive number");
    }
    if (maxConcurrent <= 0 || maxConcurrent > 1024) {
      throw new IllegalArgumentException("query.maxConcurrent = " + maxConcurrent + ": allowed 1..1024");
    }
    if (maxQueued < 0 || maxQueued > 100_000) {
      throw new IllegalArgumentException("query.maxQueued = " + maxQueued + ": allowed 0..100000");
    }
    if (slowQueryThreshold == null || slowQueryThreshold.isNegative()) {
      throw new IllegalArgumentException("query.slowQueryThreshold = " + slowQueryThreshold
          + ": give a duration >= 0 (0 logs every query)");
    }
    if (lookbackDelta == null || lookbackDelta.isNegative() || lookbackDelta.isZero()) {
      throw new IllegalArgumentException("query.lookbackDelta = " + lookbackDelta + ": give a positive duration");
    }
  }

  public QueryLimits withTimeout(Duration d) {
    return new QueryLimits(d, maxSamples, maxSeries, maxConcurrent, maxQueued, slowQueryThreshold, lookbackDelta);
  }

  public QueryLimits withMaxSamples(long n) {
    return new QueryLimits(timeout, n, maxSeries, maxConcurrent, maxQueued, slowQueryThreshold, lookbackDelta);
  }

  public QueryLimits withMaxSeries(int n) {
    return new QueryLimits(timeout, maxSamples, n, maxConcurrent, maxQueued, slowQueryThreshold, lookbackDelta);
  }

  public QueryLimits withConcurrency(int concurrent, int queued) {
    return new QueryLimits(timeout, maxSamples, maxSeries, concurrent, queued, slowQueryThreshold, lookbackDelta);
  }

  public QueryLimits withSlowQueryThreshold(Duration d) {
    return new QueryLimits(timeout, maxSamples, maxSeries, maxConcurrent, maxQueued, d, lookbackDelta);
  }
}
