package io.acceltel.aggregator.storage;

import io.acceltel.aggregator.storage.chunk.Chunk;
import io.acceltel.aggregator.storage.chunk.ChunkIterator;
import io.acceltel.model.series.Labels;
import java.util.Arrays;
import java.util.List;

/**
 * The raw samples of one series in {@code [mint, maxt]}: an immutable snapshot of encoded chunks (shared, never
 * copied per sample), decoded on demand either through {@link #iterator()} (no allocation per sample) or into
 * arrays with {@link #timestamps()} / {@link #values()}.
 *
 * <pre>{@code
 * for (SeriesData d : querier.select(matchers, mint, maxt, Resolution.RAW)) {
 *   RawSeries s = (RawSeries) d;
 *   SampleIterator it = s.iterator();
 *   while (it.next()) { ... it.timestamp(), it.value() ... }
 * }
 * }</pre>
 */
public final class RawSeries implements SeriesData {
  private final Labels labels;
  private final List<Chunk> chunks;
  private final long mint;
  private final long maxt;
  private final StepGrid grid;
  private volatile Decoded decoded;

  private record Decoded(long[] t, double[] v, boolean anyNaN) {
    /** The first {@code n} entries of arrays that may be longer. */
    static Decoded firstOf(long[] t, double[] v, int n, boolean anyNaN) {
      return new Decoded(n == t.length ? t : Arrays.copyOf(t, n), n == v.length ? v : Arrays.copyOf(v, n), anyNaN);
    }
  }

  public RawSeries(Labels labels, List<Chunk> chunks, long mint, long maxt) {
    this(labels, chunks, mint, maxt, null);
  }

  /**
   * With a grid, the decoded arrays keep only the samples an instant selector read at the grid's times can use
   * ({@link StepGrid#thin}); the iterator still returns every sample.
   */
  public RawSeries(Labels labels, List<Chunk> chunks, long mint, long maxt, StepGrid grid) {
    this.labels = labels;
    this.chunks = List.copyOf(chunks);
    this.mint = mint;
    this.maxt = maxt;
    this.grid = grid;
  }

  @Override
  public Labels labels() {
    return labels;
  }

  /** The encoded chunks, in time order; they may hold samples outside [mint, maxt]. */
  public List<Chunk> chunks() {
    return chunks;
  }

  /** A fresh iterator over the samples in [mint, maxt]. */
  public SampleIterator iterator() {
    return new Iter();
  }

  @Override
  public int size() {
    return decode().t.length;
  }

  /** Timestamps in ms (only the grid's samples when there is one); a fresh copy. */
  public long[] timestamps() {
    return decode().t.clone();
  }

  /** Values, bit-exact as appended; a fresh copy. */
  public double[] values() {
    return decode().v.clone();
  }

  /**
   * The decoded timestamps themselves, decoded once per series and shared: read-only by contract. For readers that
   * hold many series at once (a query), where {@link #timestamps()}'s copy would double the memory.
   */
  public long[] sharedTimestamps() {
    return decode().t;
  }

  /** The decoded values themselves; see {@link #sharedTimestamps()}. */
  public double[] sharedValues() {
    return decode().v;
  }

  /**
   * False when no decoded value is a NaN, so none is a stale marker: only XOR-coded chunks can hold NaNs, and the
   * decoder notes them as it goes, which spares the query a pass over every value looking for markers.
   */
  public boolean mayHoldNaN() {
    return decode().anyNaN;
  }

  /** Whether any sample lies in [mint, maxt]; decodes only up to the first, and keeps nothing decoded. */
  public boolean hasSamples() {
    Decoded d = decoded;
    return d != null ? d.t.length > 0 : iterator().next();
  }

  /** Whether the samples are held decoded (16 bytes each) besides their chunks, as after {@link #size()}. */
  public boolean holdsDecodedSamples() {
    return decoded != null;
  }

  private Decoded decode() {
    Decoded d = decoded;
    if (d == null) {
      d = grid == null ? decodeAll() : decodeThinned();
      decoded = d; // benign race: every thread computes the same arrays
    }
    return d;
  }

  private Decoded decodeAll() {
    int cap = 0;
    for (Chunk c : chunks) {
      cap += c.count();
    }
    long[] t = new long[cap];
    double[] v = new double[cap];
    int n = 0;
    ChunkIterator it = new ChunkIterator();
    boolean anyNaN = false;
    for (Chunk c : chunks) {
      it.reset(c);
      n += it.decodeInto(t, v, n, mint, maxt);
      anyNaN |= it.decodedNaN();
    }
    return Decoded.firstOf(t, v, n, anyNaN);
  }

  /**
   * Decodes a chunk at a time into scratch that stays in the core's cache and keeps only the grid's samples: for a
   * 15 s step over 1 s data this writes one sample in fifteen to memory instead of all of them.
   */
  private Decoded decodeThinned() {
    List<Chunk> read = chunks.subList(firstChunkRead(), chunks.size());
    int total = 0;
    int largest = 0;
    for (Chunk c : read) {
      total += c.count();
      largest = Math.max(largest, c.count());
    }
    long[] chunkT = new long[largest];
    double[] chunkV = new double[largest];
    StepGrid.Thinner thinner = grid.thinner(total);
    ChunkIterator it = new ChunkIterator();
    boolean anyNaN = false;
    for (Chunk c : read) {
      it.reset(c);
      thinner.add(chunkT, chunkV, it.decodeInto(chunkT, chunkV, 0, mint, maxt));
      anyNaN |= it.decodedNaN();
    }
    int n = thinner.finish();
    return Decoded.firstOf(thinner.timestamps(), thinner.values(), n, anyNaN);
  }

  /**
   * The first chunk that can hold a sample the grid reads. The selection reaches a lookback (5 minutes) before the
   * first read, but only the newest sample at or before that read counts: a chunk followed by one that starts after
   * it ends and no later than the first read holds nothing the grid reads. A dashboard that refreshes the last
   * minutes of 1 s data would otherwise decode its lookback's chunks on every refresh, as many as its steps' own.
   */
  private int firstChunkRead() {
    int from = 0;
    while (from + 1 < chunks.size()) {
      Chunk next = chunks.get(from + 1);
      if (next.minTime() <= chunks.get(from).maxTime() || next.minTime() > grid.first()) {
        break;
      }
      from++;
    }
    return from;
  }

  @Override
  public String toString() {
    return labels + " raw " + chunks.size() + " chunks [" + mint + ", " + maxt + "]";
  }

  private final class Iter implements SampleIterator {
    private final ChunkIterator it = new ChunkIterator();
    private int chunk = -1;
    private boolean inChunk;

    @Override
    public boolean next() {
      while (true) {
        if (inChunk && it.next()) {
          long t = it.timestamp();
          if (t > maxt) {
            inChunk = false;
            chunk = chunks.size(); // chunks are in time order: nothing later can be in range
            return false;
          }
          if (t >= mint) {
            return true;
          }
          continue;
        }
        if (++chunk >= chunks.size()) {
          inChunk = false;
          return false;
        }
        it.reset(chunks.get(chunk));
        inChunk = true;
      }
    }

    @Override
    public long timestamp() {
      return it.timestamp();
    }

    @Override
    public double value() {
      return it.value();
    }
  }
}
