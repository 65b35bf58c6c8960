package io.acceltel.aggregator.query;

import java.util.function.BooleanSupplier;

/**
 * What one query may read from storage: at most {@code maxSamples} samples (raw samples or tier windows) and
 * {@code maxSeries} series per selector, and whether it has been canceled (client gone, deadline passed). Beyond a
 * limit, {@link StorageQueryable#select} fails the query with Prometheus's {@code execution} error before decoding
 * more, so a huge query costs memory up to the limit and no further.
 *
 * <pre>{@code
 * QueryBudget budget = new QueryBudget(50_000_000, 500_000, () -> clientGone.get());
 * }</pre>
 */
public record QueryBudget(long maxSamples, int maxSeries, BooleanSupplier canceled) {
  public static final QueryBudget UNLIMITED = new QueryBudget(Long.MAX_VALUE, Integer.MAX_VALUE, () -> false);
}
