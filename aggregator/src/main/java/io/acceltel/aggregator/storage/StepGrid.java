package io.acceltel.aggregator.storage;

/**
 * The times an instant selector is read at: {@code first}, {@code first + interval}, ... up to {@code last}
 * ({@code interval} 0 for a single time). At each of them PromQL reads only the newest sample at or before it, so
 * a selection for such a reader keeps only those samples: for a 15 s step over 1 s data, one in fifteen.
 *
 * <pre>{@code
 * StepGrid grid = new StepGrid(start, 15_000, end);
 * int kept = grid.thin(timestamps, values, n);   // in place
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
    int kept = 0;
    long read = first; // the first grid time at or after the current sample; MAX_VALUE past the last one
    for (int i = 0; i < n; i++) {
      long ts = t[i];
      while (read < ts) {
        read = interval == 0 || read > last - interval ? Long.MAX_VALUE : read + interval;
      }
      if (i == n - 1 || t[i + 1] > read) {
        t[kept] = ts;
        v[kept] = v[i];
        kept++;
      }
    }
    return kept;
  }
}
