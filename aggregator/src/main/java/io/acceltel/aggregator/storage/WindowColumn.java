package io.acceltel.aggregator.storage;

import io.acceltel.aggregator.storage.chunk.AggrIterator;

/**
 * One per-window aggregate of a tier (see {@link WindowSeries}). A tier chunk stores each as its own column once it
 * is sealed, so a query that names the columns it needs ({@link Querier#selectWindows(java.util.List, long, long,
 * Resolution, java.util.Set)}) decodes only those.
 */
public enum WindowColumn {
  COUNT(AggrIterator.COUNT),
  SUM(AggrIterator.SUM),
  MIN(AggrIterator.MIN),
  MAX(AggrIterator.MAX),
  LAST(AggrIterator.LAST),
  COUNTER(AggrIterator.COUNTER);

  private final int chunkColumn;

  WindowColumn(int chunkColumn) {
    this.chunkColumn = chunkColumn;
  }

  /** The column's index in a tier chunk ({@link AggrIterator#decodeInto}). */
  int chunkColumn() {
    return chunkColumn;
  }
}
