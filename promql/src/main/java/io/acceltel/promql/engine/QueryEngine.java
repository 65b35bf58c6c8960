package io.acceltel.promql.engine;

import io.acceltel.promql.storage.Queryable;
import java.util.function.BooleanSupplier;

/**
 * Evaluates PromQL with Prometheus 2.x semantics (the reference is Prometheus 2.42).
 *
 * <pre>{@code
 * QueryEngine engine = ...;
 * QueryResult r = engine.instant(queryable, "sum by (node) (accelerator_power_watts)", nowMillis,
 *     QueryOptions.DEFAULT, () -> false);
 * }</pre>
 *
 * Parse errors throw {@link QueryException} of type bad_data with Prometheus's message and position
 * ({@code 1:12: parse error: unexpected ...}); evaluation errors of type execution; timeouts of type timeout.
 */
public interface QueryEngine {
  QueryResult instant(Queryable data, String query, long timeMillis, QueryOptions options, BooleanSupplier canceled);

  /** {@code start} and {@code end} inclusive; result is always a matrix. */
  QueryResult range(Queryable data, String query, long startMillis, long endMillis, long stepMillis,
      QueryOptions options, BooleanSupplier canceled);
}
