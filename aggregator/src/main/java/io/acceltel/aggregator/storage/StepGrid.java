package io.acceltel.aggregator.storage;

import java.util.Arrays;

/**
 * The times an instant selector is read at: {@code first}, {@code first + interval}, ... up to {@code last}
 * ({@code interval} 0 for a single time). At each of them PromQL reads only the newest sample at or before it, so
 * a selection for such a reader keeps only those samples: for a 15 s step over 1 s data, one in fifteen.
 *
 * <pre>{@code
 * StepGrid grid = new StepGrid(start, 15_000, end);
 * int kept = grid.thin(timestamps, values, n);   // in place
 *
 * StepGrid.Thinner thinner = grid.thinner(totalSamples);   // or streamed, a chunk at a time
 * thinner.add(chunkTimes, chunkValues, chunkCount);
 * int keptCount = thinner.finish();                        // thinner.timestamps(), thinner.values()
 * }</pre>
 *
 * @param first the first time read (ms)
 * @param interval the step between reads; 0 when only {@code first} is read
 * @param last the last time read, at or after {@code first}
 */
public record StepGrid(long first, long interval, long last) {
  public StepGrid {
    if (interval < 0 || last < first || (interval == 0 && last != first)) {
      throw new IllegalArgumentException("step grid " + first + ".." + last + " every " + interval
          + ": needs interval >= 0, last >= first, and last == first when interval is 0");
    }
  }

  /**
   * Keeps, in place, the samples that are the newest at or before some time of the grid, and the newest sample of
   * all; returns how many are kept. Timestamps must be strictly increasing.
   */
  public int thin(long[] t, double[] v, int n) {
    Thinner thinner = new Thinner(t, v);
    thinner.add(t, v, n); // in place is safe: a sample is written back only after it has been read
    return thinner.finish();
  }

  /**
   * The first time of the grid at or after {@code t}; {@link Long#MAX_VALUE} when {@code t} is past the last. A
   * sample at {@code t} followed by one at {@code next} is read at some grid time exactly when
   * {@code atOrAfter(t) < next}: {@link #thin} keeps those, and the newest sample of all.
   */
  public long atOrAfter(long t) {
    if (t <= first) {
      return first;
    }
    if (interval == 0) {
      return Long.MAX_VALUE;
    }
    long g = first + (t - first + interval - 1) / interval * interval;
    return g <= last ? g : Long.MAX_VALUE;
  }

  /**
   * A thinner that takes samples in time order, a batch at a time, and keeps them in arrays of its own: what
   * {@link #thin} keeps, without first writing every sample out. {@code samples} bounds how many will be added.
   */
  public Thinner thinner(int samples) {
    long reads = interval == 0 ? 1 : (last - first) / interval + 1;
    // Each kept sample but the newest is the newest at or before a distinct grid time.
    int cap = (int) Math.min(samples, reads + 1);
    return new Thinner(new long[cap], new double[cap]);
  }

  /** See {@link #thinner}. */
  public final class Thinner {
    private long[] t;
    private double[] v;
    private int kept;
    private long read = first; // the first grid time at or after the pending sample; MAX_VALUE past the last one
    private boolean pending;
    private long pendingT;
    private double pendingV;

    private Thinner(long[] t, double[] v) {
      this.t = t;
      this.v = v;
    }

    /** Adds {@code ts[0..n)}, {@code vs[0..n)}, newer than everything added before. */
    public void add(long[] ts, double[] vs, int n) {
      // Locals: this loop runs once per decoded sample of a query.
      long r = read;
      boolean has = pending;
      long pt = pendingT;
      double pv = pendingV;
      for (int i = 0; i < n; i++) {
        long x = ts[i];
        if (has && x > r) {
          keep(pt, pv); // nothing newer is at or before the pending sample's grid time
        }
        if (r < x) {
          r = atOrAfter(x);
        }
        has = true;
        pt = x;
        pv = vs[i];
      }
      read = r;
      pending = has;
      pendingT = pt;
      pendingV = pv;
    }

    /** Keeps the newest sample of all; returns how many are kept. */
    public int finish() {
      if (pending) {
        keep(pendingT, pendingV);
        pending = false;
      }
      return kept;
    }

    private void keep(long ts, double value) {
      if (kept == t.length) {
        t = Arrays.copyOf(t, Math.max(8, kept * 2));
        v = Arrays.copyOf(v, t.length);
      }
      t[kept] = ts;
      v[kept] = value;
      kept++;
    }

    /** The kept timestamps; the array may be longer than {@link #finish}'s count. */
    public long[] timestamps() {
      return t;
    }

    /** The kept values; see {@link #timestamps}. */
    public double[] values() {
      return v;
    }
  }
}
