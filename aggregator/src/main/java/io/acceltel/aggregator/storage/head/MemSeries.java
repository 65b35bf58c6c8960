package io.acceltel.aggregator.storage.head;

import io.acceltel.aggregator.storage.chunk.Chunk;
import io.acceltel.model.series.Labels;

/**
 * A series in the head: its labels, the writer's append state (last timestamp, the counter's running total), its
 * raw chunks and one {@link TierSeries} per tier. Kept small: a few primitive fields and one object per tier.
 */
public final class MemSeries {
  /** Changes only when the head renumbers its series, while nothing appends ({@link MemIndex#removeAndRenumber}). */
  int ref;
  final Labels labels;
  final RawHead raw = new RawHead();
  final TierSeries[] tiers;
  /** Last appended timestamp; writer only. Appends at or before it are dropped. */
  long lastT = Long.MIN_VALUE;
  /** Running counter total with resets corrected; NaN until the first non-NaN sample. Writer only. */
  double counterTotal = Double.NaN;
  /** Previous non-NaN raw value, to detect resets. Writer only. */
  double counterPrev = Double.NaN;

  MemSeries(int ref, Labels labels, int tierCount) {
    this.ref = ref;
    this.labels = labels;
    this.tiers = new TierSeries[tierCount];
    for (int i = 0; i < tierCount; i++) {
      tiers[i] = new TierSeries();
    }
  }

  public int ref() {
    return ref;
  }

  public Labels labels() {
    return labels;
  }

  public RawHead raw() {
    return raw;
  }

  public TierSeries tier(int i) {
    return tiers[i];
  }

  /**
   * Whether anything of the series is in the head from {@code from[r]} on, per resolution index r (raw, then the
   * tiers): a chunk starting there, an open chunk, or a window being filled. Writer thread, or while it waits.
   */
  boolean holdsDataFrom(long[] from) {
    RawHead.State rawState = raw.state();
    if (rawState.open() != null || startsAtOrAfter(rawState.sealed(), from[0])) {
      return true;
    }
    for (int i = 0; i < tiers.length; i++) {
      TierSeries t = tiers[i];
      TierSeries.State st = t.state();
      if (t.count > 0 || st.open() != null || startsAtOrAfter(st.sealed(), from[i + 1])) {
        return true;
      }
    }
    return false;
  }

  private static boolean startsAtOrAfter(Chunk[] chunks, long from) {
    return chunks.length > 0 && chunks[chunks.length - 1].minTime() >= from;
  }
}
