package io.acceltel.aggregator.storage.index;

import io.acceltel.model.series.Labels;
import java.util.Collection;

/**
 * What matcher selection needs from an index (the head's or a block's): postings per label pair, the values of a
 * label, every series, and each series' labels. Implementations are consistent snapshots for the call's duration.
 */
public interface LabelIndex {
  /** Every series ref, sorted. */
  int[] allPostings();

  /** The values label {@code name} takes in some series; empty when none. */
  Collection<String> values(String name);

  /** Refs of the series with {@code name=value}, sorted; empty when none. */
  int[] postings(String name, String value);

  /** The labels of a series ref returned by this index. */
  Labels labels(int ref);
}
