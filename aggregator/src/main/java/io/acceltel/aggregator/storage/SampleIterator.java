package io.acceltel.aggregator.storage;

/**
 * Iterates a series' raw samples in time order without allocating per sample.
 *
 * <pre>{@code
 * SampleIterator it = series.iterator();
 * while (it.next()) { consume(it.timestamp(), it.value()); }
 * }</pre>
 */
public interface SampleIterator {
  boolean next();

  long timestamp();

  double value();
}
