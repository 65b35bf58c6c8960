package io.acceltel.aggregator.storage.head;

import io.acceltel.aggregator.storage.AppendResult;
import io.acceltel.aggregator.storage.Appender;
import io.acceltel.aggregator.storage.RefRenumbering;
import io.acceltel.aggregator.storage.Resolution;
import io.acceltel.aggregator.storage.StorageConfig;
import io.acceltel.aggregator.storage.chunk.ChunkCompactor;
import io.acceltel.aggregator.storage.chunk.TierChunkCompactor;
import io.acceltel.model.series.Labels;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The in-memory part of the storage and its {@link Appender}: series registry, raw head chunks, and the tiers'
 * windows, fed sample by sample at ingest (aggregates are never recomputed at query time).
 *
 * <p>Per sample, {@link #append} does: drop if {@code t <= lastT} (replay idempotency) or if the raw block for
 * {@code t} was already cut; append to the open XOR chunk; unless the value is a staleness marker, update the
 * counter's running total and each tier's window. Nothing is allocated except when a chunk is sealed (every
 * {@code chunkSamples} samples). {@link #append} is for a single writer; parallel writers each take a
 * {@link #newLane()} and keep to their own series.
 *
 * <pre>{@code
 * Head head = new Head(config);
 * int ref = head.ref(labels);
 * head.append(ref, t, v);
 * }</pre>
 */
public final class Head implements Appender {
  /** Prometheus's staleness marker: a NaN with this exact bit pattern. */
  public static final long STALE_NAN_BITS = 0x7ff0000000000002L;

  private final int chunkSamples;
  private final long rawBlockMillis;
  private final long[] tierRes;
  private final long[] tierBlockMillis;
  private final MemIndex index = new MemIndex();
  /** For sealing at checkpoints, which run while no lane appends. */
  private final ChunkCompactor compactor = new ChunkCompactor();
  private final TierChunkCompactor tierCompactor = new TierChunkCompactor();
  private final List<Resolution> tiers;
  private final Lane defaultLane = new Lane();
  private final List<Lane> lanes = new CopyOnWriteArrayList<>(List.of(defaultLane));
  private final List<RefRenumbering> renumberingListeners = new CopyOnWriteArrayList<>();

  /** Raw samples before this time fall into blocks already written; set while no lane appends. */
  long rawMinValid = Long.MIN_VALUE;
  /** Per tier: windows starting before this are in blocks already written; set while no lane appends. */
  final long[] tierMinValid;
  /** Newest timestamp appended to any series: the storage's notion of "now" for block cutting and retention. */
  private volatile long maxTime = Long.MIN_VALUE;
  private static final VarHandle MAX_TIME;

  static {
    try {
      MAX_TIME = MethodHandles.lookup().findVarHandle(Head.class, "maxTime", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  public Head(StorageConfig config) {
    this.chunkSamples = config.chunkSamples();
    this.rawBlockMillis = config.blockMillis(Resolution.RAW);
    this.tiers = config.tiers();
    this.tierRes = new long[tiers.size()];
    this.tierBlockMillis = new long[tiers.size()];
    this.tierMinValid = new long[tiers.size()];
    for (int i = 0; i < tiers.size(); i++) {
      tierRes[i] = tiers.get(i).millis();
      tierBlockMillis[i] = config.blockMillis(tiers.get(i));
      tierMinValid[i] = Long.MIN_VALUE;
    }
  }

  @Override
  public int ref(Labels labels) {
    return index.getOrCreate(labels, tierRes.length).ref;
  }

  @Override
  public AppendResult append(int ref, long t, double v) {
    return defaultLane.append(ref, t, v);
  }

  @Override
  public long refGeneration() {
    return index.generation();
  }

  /**
   * A new appender that may run on another thread at the same time as this head's other appenders, provided no two
   * of them ever append to the same series at once and none runs during a checkpoint (callers stripe series over
   * locks, as {@code SampleWriter} does). Each lane has its own compaction scratch space and counters.
   */
  public Appender newLane() {
    Lane lane = new Lane();
    lanes.add(lane);
    return lane;
  }

  /** One writer's appends (see the class comment for what an append does). */
  private final class Lane implements Appender {
    private final ChunkCompactor compactor = new ChunkCompactor();
    private final TierChunkCompactor tierCompactor = new TierChunkCompactor();
    // Read by stats() from other threads: plain fields, read racily on purpose (no fence per sample).
    private long appended;
    private long dropped;
    /** Samples too old for raw that the tiers still took: dropped for raw, but they changed the head. */
    private long tiersOnly;

    @Override
    public int ref(Labels labels) {
      return Head.this.ref(labels);
    }

    @Override
    public long refGeneration() {
      return Head.this.refGeneration();
    }

    @Override
    public AppendResult append(int ref, long t, double v) {
      MemSeries s = index.get(ref);
      if (t <= s.lastT) {
        dropped++;
        return AppendResult.DUPLICATE_OR_OUT_OF_ORDER;
      }
      // Older than the raw blocks: refused for raw, but the coarser tiers have blocks of their own, cut far later
      // (a replay after a lost checkpoint, a partition or an exporter's spool hours behind); each takes it as long
      // as it is after its own last block.
      boolean rawTooOld = t < rawMinValid;
      s.lastT = t;
      if (!rawTooOld) {
        advanceMaxTime(t);
        s.raw.append(t, v, chunkSamples, rawBlockMillis, compactor);
      }
      if (Double.doubleToRawLongBits(v) != STALE_NAN_BITS) {
        if (!Double.isNaN(v)) {
          double prev = s.counterPrev;
          if (Double.isNaN(prev)) {
            s.counterTotal = v; // first sample: the running total starts at the counter's value
          } else {
            s.counterTotal += v < prev ? v : v - prev; // a drop is a reset: the new value is the increase
          }
          s.counterPrev = v;
        }
        TierSeries[] ts = s.tiers;
        for (int i = 0; i < ts.length; i++) {
          ts[i].add(t, v, s.counterTotal, tierRes[i], tierMinValid[i], chunkSamples, tierBlockMillis[i],
              tierCompactor);
        }
      }
      if (rawTooOld) {
        dropped++;
        tiersOnly++;
        return AppendResult.TOO_OLD;
      }
      appended++;
      return AppendResult.APPENDED;
    }
  }

  /** Lanes race here, but only when time moves forward: about once per tick, not per sample. */
  private void advanceMaxTime(long t) {
    long cur = maxTime;
    while (t > cur) {
      if (MAX_TIME.compareAndSet(this, cur, t)) {
        return;
      }
      cur = maxTime;
    }
  }

  public MemIndex index() {
    return index;
  }

  public List<Resolution> tiers() {
    return tiers;
  }

  public long maxTime() {
    return maxTime;
  }

  void setMaxTime(long t) {
    maxTime = t;
  }

  public long appended() {
    long n = 0;
    for (Lane lane : lanes) {
      n += lane.appended;
    }
    return n;
  }

  /**
   * Appends that changed the head: every appended sample, and the samples too old for raw that still reached the
   * tiers (their windows, the running counter totals and the series' last time). A checkpoint with nothing to write
   * compares this, not {@link #appended()}, or it would skip tier state that exists nowhere else.
   */
  public long changes() {
    long n = 0;
    for (Lane lane : lanes) {
      n += lane.appended + lane.tiersOnly;
    }
    return n;
  }

  public long dropped() {
    long n = 0;
    for (Lane lane : lanes) {
      n += lane.dropped;
    }
    return n;
  }

  /** The first time a resolution accepts; 0 is raw, i &gt; 0 is tier i - 1. */
  public long minValid(int resIndex) {
    return resIndex == 0 ? rawMinValid : tierMinValid[resIndex - 1];
  }

  public void setMinValid(int resIndex, long t) {
    if (resIndex == 0) {
      rawMinValid = t;
    } else {
      tierMinValid[resIndex - 1] = t;
    }
  }

  /**
   * The earliest time of data a resolution holds in the head at or after {@code notBefore} (a chunk's start, or the
   * filling window's start for a tier); Long.MAX_VALUE when none. Chunks starting before {@code notBefore} are
   * ones already written to a block and about to be trimmed. Exact on the writer thread; from another (a query's
   * coverage estimate) it reads the writer's fields racily and may miss series being renumbered meanwhile.
   */
  public long minTime(int resIndex, long notBefore) {
    long[] min = {Long.MAX_VALUE};
    index.forEach(s -> {
      if (resIndex == 0) {
        RawHead.State st = s.raw.state();
        min[0] = Math.min(min[0], firstChunkStart(st.sealed(), notBefore));
        if (st.open() != null && st.open().firstTime() >= notBefore) {
          min[0] = Math.min(min[0], st.open().firstTime());
        }
      } else {
        TierSeries tier = s.tiers[resIndex - 1];
        TierSeries.State st = tier.state();
        min[0] = Math.min(min[0], firstChunkStart(st.sealed(), notBefore));
        if (st.open() != null && st.open().count() > 0 && st.open().firstTime() >= notBefore) {
          min[0] = Math.min(min[0], st.open().firstTime());
        }
        if (tier.count > 0 && tier.windowStart >= notBefore) {
          min[0] = Math.min(min[0], tier.windowStart);
        }
      }
    });
    return min[0];
  }

  private static long firstChunkStart(io.acceltel.aggregator.storage.chunk.Chunk[] chunks, long notBefore) {
    for (io.acceltel.aggregator.storage.chunk.Chunk c : chunks) {
      if (c.minTime() >= notBefore) {
        return c.minTime();
      }
    }
    return Long.MAX_VALUE;
  }

  /**
   * Makes everything of a resolution before {@code end} immutable ahead of writing it to a block: seals open
   * chunks, completes filling tier windows. Writer thread only.
   */
  public void sealBefore(int resIndex, long end) {
    int n = index.size();
    for (int ref = 0; ref < n; ref++) {
      MemSeries s = index.series(ref);
      if (resIndex == 0) {
        s.raw.sealIfBefore(end, compactor);
      } else {
        int i = resIndex - 1;
        s.tiers[i].flushIfBefore(end, chunkSamples, tierBlockMillis[i], tierCompactor);
      }
    }
  }

  /**
   * Completes every tier's filling windows that end after {@code from} and by {@code to}, the raw blocks' end before
   * and after a raw cut: no raw sample can fill them any more, so they are published to queries now rather than
   * when their tier block is cut. Only once, at the cut that passes them: windows further back fill from tier-only
   * samples (a backfill, a spool draining hours late), and completing those at every checkpoint would split each
   * into a point per checkpoint. Writer thread only.
   */
  public void completeTierWindowsEndedIn(long from, long to) {
    int n = index.size();
    for (int ref = 0; ref < n; ref++) {
      TierSeries[] ts = index.series(ref).tiers;
      for (int i = 0; i < ts.length; i++) {
        ts[i].completeIfEndedIn(from, to, tierRes[i], chunkSamples, tierBlockMillis[i], tierCompactor);
      }
    }
  }

  /** Drops head chunks of a resolution that start before {@code end}; call under the publication lock. */
  public void trimBefore(int resIndex, long end) {
    int n = index.size();
    for (int ref = 0; ref < n; ref++) {
      MemSeries s = index.series(ref);
      if (resIndex == 0) {
        s.raw.trimBefore(end);
      } else {
        s.tiers[resIndex - 1].trimBefore(end);
      }
    }
  }

  /** Told of each renumbering by {@link #removeStoppedSeries}, so that state kept by ref follows it. */
  public void addRenumberingListener(RefRenumbering listener) {
    renumberingListeners.add(listener);
  }

  /**
   * Removes the series with nothing left in the head (all their data is in blocks: a finished job's pods) and
   * renumbers the others, so that series churn does not grow the head without bound. Should such a series come
   * back, it is a new series, as after a restart; its old samples are refused as too old, being before the blocks
   * already cut. Call while nothing appends or resolves (the checkpoint): refs handed out before are void.
   *
   * @return how many series were removed
   */
  public int removeStoppedSeries() {
    long[] anyTime = new long[tierRes.length + 1];
    java.util.Arrays.fill(anyTime, Long.MIN_VALUE);
    int before = index.size();
    int[] newRef = index.removeAndRenumber(s -> !s.holdsDataFrom(anyTime));
    if (newRef == null) {
      return 0;
    }
    for (RefRenumbering listener : renumberingListeners) {
      listener.renumbered(newRef);
    }
    return before - index.size();
  }

  int chunkSamples() {
    return chunkSamples;
  }
}
