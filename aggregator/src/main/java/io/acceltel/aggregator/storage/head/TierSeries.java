package io.acceltel.aggregator.storage.head;

import io.acceltel.aggregator.storage.chunk.AggrAppender;
import io.acceltel.aggregator.storage.chunk.Chunk;
import io.acceltel.aggregator.storage.chunk.TierChunkCompactor;
import java.util.Arrays;

/**
 * One series in one tier: the window being filled (primitive fields, writer only) and the completed windows as
 * tier chunks, published like {@link RawHead} through one volatile {@link State}. Windows are aligned to
 * multiples of the resolution; a window is completed when a sample of a later window arrives, at the raw cut after
 * which raw data refuses samples of it ({@link #completeIfEndedIn}: a series that stopped would otherwise keep its
 * last window out of queries until its block is cut, days later), or when its block is cut
 * ({@link #flushIfBefore}).
 *
 * <pre>{@code
 * tier.add(t, v, counterTotal, resolutionMillis, minValid, 120, blockMillis);
 * TierSeries.State st = tier.state();
 * }</pre>
 */
public final class TierSeries {
  /** Sealed tier chunks in time order and the open one (null when none). */
  public record State(Chunk[] sealed, AggrAppender open) {
    static final State EMPTY = new State(new Chunk[0], null);
  }

  private volatile State state = State.EMPTY;

  // The window being filled. count == 0 means none.
  long windowStart = Long.MIN_VALUE;
  long lastT;
  long count;
  double sum;
  double min;
  double max;
  double last;
  double counter;

  public State state() {
    return state;
  }

  /**
   * Adds a sample (not a staleness marker) with the series' counter total after it. Samples of a window whose
   * block was already cut ({@code windowStart < minValid}) are ignored: the block is immutable.
   */
  void add(long t, double v, double counterTotal, long res, long minValid, int chunkSamples, long blockMillis,
      TierChunkCompactor compactor) {
    long ws = t - Math.floorMod(t, res);
    if (ws != windowStart) {
      if (count > 0) {
        flush(chunkSamples, blockMillis, compactor);
      }
      if (ws < minValid) {
        return;
      }
      windowStart = ws;
      count = 0;
      sum = 0;
      min = v;
      max = v;
    }
    count++;
    sum += v;
    // As Prometheus's min/max_over_time: NaN only wins when every sample is NaN.
    if (v < min || Double.isNaN(min)) {
      min = v;
    }
    if (v > max || Double.isNaN(max)) {
      max = v;
    }
    last = v;
    lastT = t;
    counter = counterTotal;
  }

  private void flush(int chunkSamples, long blockMillis, TierChunkCompactor compactor) {
    State st = state;
    AggrAppender open = st.open;
    if (open != null && (open.count() >= chunkSamples
        || Math.floorDiv(lastT, blockMillis) != Math.floorDiv(open.firstTime(), blockMillis))) {
      st = new State(RawHead.append(st.sealed, open.seal(compactor)), null);
      open = null;
    }
    if (open == null) {
      open = new AggrAppender(st.sealed.length == 0 ? 8 : Math.max(8, st.sealed[st.sealed.length - 1].data().length / 8 + 1));
      open.append(lastT, count, sum, min, max, last, counter);
      state = new State(st.sealed, open); // publish after the first point is in
    } else {
      open.append(lastT, count, sum, min, max, last, counter);
      if (st != state) {
        state = st;
      }
    }
    count = 0;
    windowStart = Long.MIN_VALUE;
  }

  /**
   * Completes the filling window when it ends after {@code from} and by {@code to}. A series lagging behind the raw
   * blocks at that cut may still send a tier-only sample of it: that fills the same window again, as a second point
   * after this one (see docs/storage-format.md).
   */
  void completeIfEndedIn(long from, long to, long res, int chunkSamples, long blockMillis,
      TierChunkCompactor compactor) {
    // from may be Long.MIN_VALUE (nothing cut before): compare without subtracting
    if (count > 0 && windowStart + res <= to && windowStart + res > from) {
      flush(chunkSamples, blockMillis, compactor);
    }
  }

  /** Completes the filling window and seals the open chunk when they start before {@code end}. */
  void flushIfBefore(long end, int chunkSamples, long blockMillis, TierChunkCompactor compactor) {
    if (count > 0 && windowStart < end) {
      flush(chunkSamples, blockMillis, compactor);
    }
    State st = state;
    if (st.open != null && st.open.firstTime() < end) {
      state = new State(RawHead.append(st.sealed, st.open.seal(compactor)), null);
    }
  }

  long trimBefore(long end) {
    State st = state;
    int n = RawHead.sealedBefore(st.sealed, end);
    if (n == 0) {
      return 0;
    }
    state = new State(Arrays.copyOfRange(st.sealed, n, st.sealed.length), st.open);
    return RawHead.encodedBytes(st.sealed, n);
  }

  void restore(Chunk[] sealed, AggrAppender open) {
    state = new State(sealed, open);
  }

  /** The window being filled, for the checkpoint; count 0 when none. */
  long windowStart() {
    return windowStart;
  }
}
