package io.acceltel.aggregator.storage.head;

import io.acceltel.aggregator.storage.chunk.Chunk;
import io.acceltel.aggregator.storage.chunk.ChunkCompactor;
import io.acceltel.aggregator.storage.chunk.XorAppender;
import java.util.Arrays;

/**
 * One series' raw samples in the head: immutable sealed chunks plus the open chunk, published together as one
 * {@link State} through a volatile field. A reader takes {@link #state()} once and sees a consistent pair: when
 * the writer seals a chunk it publishes a new state holding the sealed copy and a fresh open chunk, and never
 * touches the old open chunk again, so a reader still holding the old state decodes it safely.
 *
 * <pre>{@code
 * RawHead.State st = rawHead.state();
 * for (Chunk c : st.sealed()) { ... }
 * if (st.open() != null) { Chunk open = st.open().snapshot(); }
 * }</pre>
 */
public final class RawHead {
  /** Sealed chunks in time order and the open chunk (null when none). The array is never modified. */
  public record State(Chunk[] sealed, XorAppender open) {
    static final State EMPTY = new State(new Chunk[0], null);
  }

  private volatile State state = State.EMPTY;

  public State state() {
    return state;
  }

  /** Writer thread only; the caller checked {@code t} is after the series' last timestamp. */
  void append(long t, double v, int chunkSamples, long blockMillis, ChunkCompactor compactor) {
    State st = state;
    XorAppender open = st.open;
    if (open == null) {
      state = new State(st.sealed, new XorAppender(t, v, 4));
      return;
    }
    // Cut at the target size, and at block boundaries so that no chunk ever straddles two blocks.
    if (open.count() >= chunkSamples
        || Math.floorDiv(t, blockMillis) != Math.floorDiv(open.firstTime(), blockMillis)) {
      Chunk sealed = compactor.seal(open);
      // Size the next buffer like the last one: one allocation per chunk in the steady state.
      state = new State(append(st.sealed, sealed), new XorAppender(t, v, open.wordsUsed() + 1));
      return;
    }
    open.append(t, v);
  }

  /** Seals the open chunk if it starts before {@code end}: its range is about to be written to a block. */
  void sealIfBefore(long end, ChunkCompactor compactor) {
    State st = state;
    if (st.open != null && st.open.firstTime() < end) {
      state = new State(append(st.sealed, compactor.seal(st.open)), null);
    }
  }

  /** Drops sealed chunks that start before {@code end} (they are in a block now); returns their encoded bytes. */
  long trimBefore(long end) {
    State st = state;
    int n = sealedBefore(st.sealed, end);
    if (n == 0) {
      return 0;
    }
    state = new State(Arrays.copyOfRange(st.sealed, n, st.sealed.length), st.open);
    return encodedBytes(st.sealed, n);
  }

  /** Restores from a checkpoint; the open chunk is rebuilt by re-appending its samples. */
  void restore(Chunk[] sealed, XorAppender open) {
    state = new State(sealed, open);
  }

  /** How many of the sealed chunks start before {@code end}: they are in a block now. */
  static int sealedBefore(Chunk[] sealed, long end) {
    int n = 0;
    while (n < sealed.length && sealed[n].minTime() < end) {
      n++;
    }
    return n;
  }

  static long encodedBytes(Chunk[] chunks, int n) {
    long bytes = 0;
    for (int i = 0; i < n; i++) {
      bytes += chunks[i].data().length;
    }
    return bytes;
  }

  static Chunk[] append(Chunk[] a, Chunk c) {
    Chunk[] out = Arrays.copyOf(a, a.length + 1);
    out[a.length] = c;
    return out;
  }
}
