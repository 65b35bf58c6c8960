package io.acceltel.promql.engine;

import io.acceltel.promql.parser.VectorSelector;
import io.acceltel.promql.value.Sample;
import java.util.List;

/**
 * An instant selector's point for every series at every step of a range evaluation, found in one sequential pass
 * per series and laid out step-major. Evaluating step by step otherwise searches every series' sample arrays at
 * every step: thousands of arrays, each visited once per step, so nearly every visit missed the CPU cache. Here
 * each series' samples are read front to back once, and each step reads one contiguous stretch.
 */
final class StepTable {
  /** Entries per table at most (16 bytes each); a larger selection is searched step by step instead. */
  private static final long MAX_ENTRIES = 4_000_000;
  private static final long ABSENT = Long.MIN_VALUE;

  /** The selector's reference time (offset and {@code @} applied) for an evaluation time. */
  interface RefTime {
    long of(VectorSelector vs, long evalTime);
  }

  private final Evaluator ev;
  private final List<SeriesData> series;
  private final int steps;
  private final long[] times;
  private final double[] values;

  private StepTable(Evaluator ev, List<SeriesData> series, int steps) {
    this.ev = ev;
    this.series = series;
    this.steps = steps;
    this.times = new long[steps * series.size()];
    this.values = new double[times.length];
  }

  /** The table of a selector over {@code ev}'s steps, or null when it is not worth building. */
  static StepTable build(Evaluator ev, List<SeriesData> series, RefTime ref, VectorSelector vs) {
    if (ev.interval <= 0 || ev.end < ev.start) {
      return null;
    }
    long steps = (ev.end - ev.start) / ev.interval + 1;
    if (steps < 2 || series.isEmpty() || steps * series.size() > MAX_ENTRIES) {
      return null;
    }
    StepTable table = new StepTable(ev, series, (int) steps);
    long lookback = ev.ctx.lookbackMillis;
    int n = series.size();
    for (int s = 0; s < n; s++) {
      ev.ctx.limits.poll();
      SeriesData d = series.get(s);
      long[] ts = d.ts;
      int i = -1;
      for (int k = 0; k < steps; k++) {
        long at = ref.of(vs, ev.start + k * ev.interval);
        if (i >= 0 && ts[i] > at) {
          i = d.floor(at); // time went backwards (cannot happen on a grid; kept exact regardless)
        }
        while (i + 1 < ts.length && ts[i + 1] <= at) {
          i++;
        }
        int e = k * n + s;
        if (i < 0 || ts[i] < at - lookback || StaleNaN.is(d.vs[i])) {
          table.times[e] = ABSENT;
        } else {
          table.times[e] = ts[i];
          table.values[e] = d.vs[i];
        }
      }
    }
    return table;
  }

  /** The step index of evaluation time {@code ts}, or -1 when it is not one of the evaluator's steps. */
  int step(long ts) {
    if (ts < ev.start || ts > ev.end || (ts - ev.start) % ev.interval != 0) {
      return -1;
    }
    long k = (ts - ev.start) / ev.interval;
    return k < steps ? (int) k : -1;
  }

  /** Adds the step's points, in series order, to {@code out}. */
  void collect(int step, List<Sample> out, Limits limits) {
    int n = series.size();
    int base = step * n;
    for (int s = 0; s < n; s++) {
      long t = times[base + s];
      if (t != ABSENT) {
        out.add(new Sample(series.get(s).labels, t, values[base + s]));
      }
    }
    limits.poll();
  }
}
