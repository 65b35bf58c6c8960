package io.acceltel.promql.engine;

import java.time.Duration;

/**
 * Server-wide engine settings.
 *
 * <pre>{@code
 * QueryEngine engine = new Engine(new EngineConfig(Duration.ofMinutes(1), Duration.ofMinutes(10)));
 * }</pre>
 *
 * @param defaultSubqueryStep the step of a subquery written without one ({@code x[1h:]}); Prometheus uses the global
 *     evaluation interval, 1m by default
 * @param defaultLookback the lookback of instant selectors when a query's {@link QueryOptions#lookbackDelta()} is
 *     null or zero ({@code --query.lookback-delta}, 5m by default)
 */
public record EngineConfig(Duration defaultSubqueryStep, Duration defaultLookback) {
  public static final EngineConfig DEFAULT = new EngineConfig(Duration.ofMinutes(1), Duration.ofMinutes(5));

  public EngineConfig {
    if (defaultSubqueryStep.isNegative() || defaultSubqueryStep.isZero()) {
      throw new IllegalArgumentException("defaultSubqueryStep must be positive, got " + defaultSubqueryStep);
    }
    if (defaultLookback.isNegative() || defaultLookback.isZero()) {
      throw new IllegalArgumentException("defaultLookback must be positive, got " + defaultLookback);
    }
  }
}
