package io.acceltel.promql.engine;

import io.acceltel.model.series.Labels;
import io.acceltel.promql.functions.FunctionArgs;
import io.acceltel.promql.functions.WindowFunction;
import io.acceltel.promql.parser.Call;
import io.acceltel.promql.parser.MatrixSelector;
import io.acceltel.promql.parser.VectorSelector;
import io.acceltel.promql.value.Sample;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * One expression's output point for every series at every step of a range evaluation, computed one series at a
 * time over all steps and laid out step-major: an instant selector's points, or a range function's values over a
 * matrix selector ({@code rate(x[1m])}, {@code max_over_time(x[5m])}). Evaluating step by step otherwise visits
 * thousands of series' sample arrays at every step, and nearly every visit misses the CPU cache; here each series'
 * samples are read front to back once, and each step then reads one contiguous stretch of the table.
 */
final class StepTable {
  /**
   * Entries per evaluator at most, over all its tables (16 bytes each, so 128 MB); selections beyond it are
   * evaluated step by step instead.
   */
  static final long MAX_ENTRIES = 8_000_000;
  private static final long ABSENT = Long.MIN_VALUE;
  /** Fewer rows than this per task cost more in hand-offs than they save. */
  private static final int MIN_ROWS_PER_TASK = 64;

  /** The selector's reference time (offset and {@code @} applied) for an evaluation time. */
  interface RefTime {
    long of(VectorSelector vs, long evalTime);
  }

  private final Evaluator ev;
  private final List<Labels> labels;
  private final int steps;
  private final long[] times;
  private final double[] values;
  /** Per step, the samples the limits count while the step is computed (null: none beyond the output). */
  private final long[] loadedAtStep;

  private final boolean labelsUnique;

  private StepTable(Evaluator ev, List<Labels> labels, int steps, boolean countsLoad) {
    this.ev = ev;
    this.labels = labels;
    this.steps = steps;
    this.times = new long[steps * labels.size()];
    this.values = new double[times.length];
    this.loadedAtStep = countsLoad ? new long[steps] : null;
    this.labelsUnique = new HashSet<>(labels).size() == labels.size();
  }

  /**
   * Whether the rows have distinct label sets, so that no step's points can repeat one (a window function that
   * drops the metric name can make two rows equal, which Prometheus reports as an error at each step).
   */
  boolean labelsUnique() {
    return labelsUnique;
  }

  /** The number of steps when a table of {@code series} rows fits what the evaluator has left, else -1. */
  private static int steps(Evaluator ev, int series) {
    if (ev.interval <= 0 || ev.end < ev.start || series == 0) {
      return -1;
    }
    long steps = (ev.end - ev.start) / ev.interval + 1;
    if (steps < 2 || !ev.selectors.reserveTableEntries(steps * series)) {
      return -1;
    }
    return (int) steps;
  }

  /** An instant selector's points at every step, or null when no table is worth building. */
  static StepTable forSelector(Evaluator ev, List<SeriesData> series, RefTime ref, VectorSelector vs) {
    int steps = steps(ev, series.size());
    if (steps < 0) {
      return null;
    }
    List<Labels> labels = new ArrayList<>(series.size());
    for (SeriesData d : series) {
      labels.add(d.labels);
    }
    StepTable table = new StepTable(ev, labels, steps, false);
    long lookback = ev.ctx.lookbackMillis;
    int n = series.size();
    table.fillRows((from, to, loaded) -> {
      for (int s = from; s < to; s++) {
        ev.ctx.limits.poll();
        SeriesData d = series.get(s);
        long[] ts = d.ts;
        int i = -1;
        for (int k = 0; k < steps; k++) {
          long at = ref.of(vs, ev.start + k * ev.interval);
          if (i >= 0 && ts[i] > at) {
            i = d.floor(at); // time went backwards (not on a grid; kept exact regardless)
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
    });
    return table;
  }

  /**
   * A one-argument window function's values at every step ({@code rate(x[1m])}), or null when the call does not
   * have that shape or no table is worth building.
   */
  static StepTable forWindowFunction(Evaluator ev, Call call, WindowFunction f, List<SeriesData> series,
      RefTime ref) {
    if (call.args().size() != 1 || f.rangeArgument() != 0 || !(call.args().get(0) instanceof MatrixSelector ms)) {
      return null;
    }
    int steps = steps(ev, series.size());
    if (steps < 0) {
      return null;
    }
    List<Labels> labels = new ArrayList<>(series.size());
    for (SeriesData d : series) {
      labels.add(f.keepsName() ? d.labels : d.labelsWithoutName());
    }
    StepTable table = new StepTable(ev, labels, steps, true);
    FunctionArgs[] argsAt = new FunctionArgs[steps];
    for (int k = 0; k < steps; k++) {
      argsAt[k] = new StepArgs(ev, call, ev.start + k * ev.interval);
    }
    VectorSelector vs = ms.selector();
    long range = ms.rangeMillis();
    int n = series.size();
    table.fillRows((first, last, loaded) -> {
      for (int s = first; s < last; s++) {
        ev.ctx.limits.poll();
        SeriesData d = series.get(s);
        long[] ts = d.ts;
        int lo = 0;
        int hi = 0; // the window is [lo, hi): samples in [at - range, at]
        for (int k = 0; k < steps; k++) {
          long at = ref.of(vs, ev.start + k * ev.interval);
          long from = at - range;
          if ((lo > 0 && ts[lo - 1] >= from) || (hi > 0 && ts[hi - 1] > at)) {
            lo = d.ceil(from); // time went backwards (not on a grid; kept exact regardless)
            hi = d.floor(at) + 1;
          }
          while (lo < ts.length && ts[lo] < from) {
            lo++;
          }
          hi = Math.max(hi, lo);
          while (hi < ts.length && ts[hi] <= at) {
            hi++;
          }
          int e = k * n + s;
          int size = hi - lo;
          if (size > 0) {
            loaded[k] = Math.max(loaded[k], size);
          }
          if (size < f.minPoints() || size == 0) {
            table.times[e] = ABSENT;
          } else {
            table.times[e] = ev.start + k * ev.interval;
            table.values[e] = f.valueOf(new RangeWindow(d, lo, hi, from, at), argsAt[k]);
          }
        }
      }
    });
    return table;
  }

  /**
   * Fills the rows of series {@code [from, to)}; a window function's filler raises {@code loaded[k]} to step k's
   * largest window (null for a selector's table, which counts no load).
   */
  private interface RowFiller {
    void fill(int from, int to, long[] loaded);
  }

  /**
   * Runs the filler over every row, in parallel over contiguous stretches of series when there are enough: each row
   * writes only its own entries, and each stretch keeps its own per-step maxima, merged at the end. The series'
   * arrays are usually just decoded by the pool, and this pass reads each of them once more.
   */
  private void fillRows(RowFiller filler) {
    int n = labels.size();
    int parts = Math.min(4 * (ForkJoinPool.getCommonPoolParallelism() + 1), n / MIN_ROWS_PER_TASK);
    if (parts <= 1) {
      filler.fill(0, n, loadedAtStep);
      return;
    }
    IntStream.range(0, parts).parallel().forEach(p -> {
      long[] loaded = loadedAtStep == null ? null : new long[steps];
      filler.fill((int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts), loaded);
      if (loadedAtStep != null) {
        synchronized (loadedAtStep) {
          for (int k = 0; k < steps; k++) {
            loadedAtStep[k] = Math.max(loadedAtStep[k], loaded[k]);
          }
        }
      }
    });
  }

  /** The step index of evaluation time {@code ts}, or -1 when it is not one of the evaluator's steps. */
  int step(long ts) {
    if (ts < ev.start || ts > ev.end || (ts - ev.start) % ev.interval != 0) {
      return -1;
    }
    long k = (ts - ev.start) / ev.interval;
    return k < steps ? (int) k : -1;
  }

  /** The step's points, in series order, with the step's samples counted as step-wise evaluation counts them. */
  List<Sample> collect(int step) {
    countLoad(step);
    int n = labels.size();
    int base = step * n;
    List<Sample> out = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      long t = times[base + s];
      if (t != ABSENT) {
        out.add(new Sample(labels.get(s), t, values[base + s]));
      }
    }
    return out;
  }

  /**
   * Counts the samples step {@code step} holds while it is computed. {@link #collect} does it; a parent that reads
   * the step in place through {@link #has}, {@link #value} and {@link #labels} (an aggregation such as sum, which
   * needs no Sample per series per step) does it first.
   */
  void countLoad(int step) {
    if (loadedAtStep != null) {
      ev.ctx.limits.load(loadedAtStep[step]);
    }
    ev.ctx.limits.poll();
  }

  int rows() {
    return labels.size();
  }

  /** Whether series {@code row} has a point at step {@code step}. */
  boolean has(int step, int row) {
    return times[step * labels.size() + row] != ABSENT;
  }

  double value(int step, int row) {
    return values[step * labels.size() + row];
  }

  /** The labels of series {@code row}: one instance for all steps. */
  Labels labels(int row) {
    return labels.get(row);
  }
}
