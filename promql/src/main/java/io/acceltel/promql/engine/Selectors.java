package io.acceltel.promql.engine;

import io.acceltel.promql.functions.FunctionTable;
import io.acceltel.promql.functions.WindowFunction;
import io.acceltel.promql.parser.Call;
import io.acceltel.promql.parser.Expr;
import io.acceltel.promql.parser.MatrixSelector;
import io.acceltel.promql.parser.ParenExpr;
import io.acceltel.promql.parser.VectorSelector;
import io.acceltel.promql.storage.SelectHints;
import io.acceltel.promql.storage.StoredSeries;
import io.acceltel.promql.value.Sample;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Instant and range vector selectors with Prometheus 2.x semantics: an instant selector takes the newest sample in
 * {@code [t - lookback, t]} unless that sample is a staleness marker; a range selector takes the samples in the
 * closed window {@code [t - range, t]}, staleness markers skipped. {@code t} is the evaluation time, or the
 * {@code @} time, minus the offset.
 */
final class Selectors {
  private final Evaluator ev;
  private final Map<VectorSelector, List<SeriesData>> instantData = new IdentityHashMap<>();
  private final Map<MatrixSelector, List<SeriesData>> rangeData = new IdentityHashMap<>();
  /** Per selector, its point at every step of this evaluator's range; a null value when it has none. */
  private final Map<VectorSelector, StepTable> stepTables = new IdentityHashMap<>();
  /** Per window-function call, its value at every step of this evaluator's range; null when it has none. */
  private final Map<Call, StepTable> callTables = new IdentityHashMap<>();
  private long tableEntriesLeft = StepTable.MAX_ENTRIES;

  Selectors(Evaluator ev) {
    this.ev = ev;
  }

  StepValue.Vec instant(VectorSelector vs, long ts) {
    List<SeriesData> data = instantData(vs);
    List<Sample> out;
    StepTable table = selectorTable(vs);
    int step = table == null ? -1 : table.step(ts);
    if (step >= 0) {
      out = table.collect(step);
    } else {
      Limits limits = ev.ctx.limits;
      out = new ArrayList<>();
      long ref = refTime(vs, ts);
      long minT = ref - ev.ctx.lookbackMillis;
      for (SeriesData s : data) {
        limits.poll();
        int i = s.floor(ref);
        if (i < 0 || s.ts[i] < minT || StaleNaN.is(s.vs[i])) {
          continue;
        }
        out.add(new Sample(s.labels, s.ts[i], s.vs[i]));
      }
    }
    countSelected(vs, out.size());
    return new StepValue.Vec(out);
  }

  private List<SeriesData> instantData(VectorSelector vs) {
    return instantData.computeIfAbsent(vs, k -> fetch(k, 0));
  }

  private StepTable selectorTable(VectorSelector vs) {
    List<SeriesData> data = instantData(vs);
    return stepTables.computeIfAbsent(vs, k -> StepTable.forSelector(ev, data, this::refTime, k));
  }

  /** Counts an instant selector's points at one step. */
  private void countSelected(VectorSelector vs, int points) {
    // Prometheus materialises a selector's points for every step before its parent uses them, so they count until
    // the query ends; a parent then counts the step's points again while it computes.
    ev.ctx.limits.retain(points);
    if (!ev.isRoot(vs)) {
      ev.ctx.limits.load(points);
    }
  }

  /**
   * One step of a step table read in place of the step's vector (see {@link #tableStep}); {@link #done} counts the
   * points read, as evaluating the vector would have.
   */
  final class TableStep {
    final StepTable table;
    final int step;
    private final VectorSelector selector;

    private TableStep(StepTable table, int step, VectorSelector selector) {
      this.table = table;
      this.step = step;
      this.selector = selector;
      table.countLoad(step);
    }

    void done(int points) {
      if (selector != null) {
        countSelected(selector, points);
      }
    }
  }

  /**
   * Step {@code ts} of the table behind {@code e} when {@code e} is an instant selector or a window function over a
   * matrix selector evaluated as a table, so that a parent can read its points in place; null otherwise (the
   * parent then evaluates {@code e}). Gives the same points, in the same order, as {@code ev.eval(e, ts)}.
   */
  TableStep tableStep(Expr e, long ts) {
    Expr inner = ParenExpr.unwrap(e);
    StepTable table = null;
    VectorSelector selector = null;
    if (inner instanceof VectorSelector vs) {
      table = selectorTable(vs);
      selector = vs;
    } else if (inner instanceof Call c && FunctionTable.get(c.function().name()) instanceof WindowFunction f) {
      table = callTable(c, f);
      if (table != null && !table.labelsUnique()) {
        return null; // the step-wise path reports the repeated label sets
      }
    }
    int step = table == null ? -1 : table.step(ts);
    return step < 0 ? null : new TableStep(table, step, selector);
  }

  StepValue.Ranges range(MatrixSelector ms, long ts) {
    List<SeriesData> data = rangeSeries(ms);
    long ref = refTime(ms.selector(), ts);
    long mint = ref - ms.rangeMillis();
    List<RangeWindow> out = new ArrayList<>();
    long loaded = 0;
    long largest = 0;
    Limits limits = ev.ctx.limits;
    for (SeriesData s : data) {
      limits.poll();
      RangeWindow w = s.window(mint, ref);
      if (w != null) {
        out.add(w);
        loaded += w.size();
        largest = Math.max(largest, w.size());
      }
    }
    // Prometheus holds one series' window at a time when a function consumes the range (its output is counted
    // separately), and every window when the range itself is the result.
    boolean functionArgument = !ev.ctx.paths.of(ms.selector()).function().isEmpty();
    limits.load(functionArgument ? largest : loaded);
    return new StepValue.Ranges(out);
  }

  /** Takes {@code entries} from this evaluator's table allowance; false, taking nothing, when too few are left. */
  boolean reserveTableEntries(long entries) {
    if (entries > tableEntriesLeft) {
      return false;
    }
    tableEntriesLeft -= entries;
    return true;
  }

  /**
   * The call's output at step {@code ts} when it is a window function over a matrix selector evaluated one series
   * at a time (see {@link StepTable}); null when the step-wise path must evaluate it.
   */
  StepValue.Vec windowCall(Call call, WindowFunction f, long ts) { // checks the output's label uniqueness itself
    StepTable table = callTable(call, f);
    int step = table == null ? -1 : table.step(ts);
    if (step < 0) {
      return null;
    }
    List<Sample> points = table.collect(step);
    if (!table.labelsUnique()) {
      Evaluator.checkUniqueLabels(points);
    }
    return new StepValue.Vec(points);
  }

  private StepTable callTable(Call call, WindowFunction f) {
    return callTables.computeIfAbsent(call, c -> c.args().size() == 1
        && c.args().get(0) instanceof MatrixSelector ms
        ? StepTable.forWindowFunction(ev, c, f, rangeSeries(ms), this::refTime) : null);
  }

  private List<SeriesData> rangeSeries(MatrixSelector ms) {
    return rangeData.computeIfAbsent(ms, k -> fetch(k.selector(), k.rangeMillis()));
  }

  long refTime(VectorSelector vs, long ts) {
    long base = vs.at() == null ? ts : vs.at().resolve(ev.ctx.queryStart, ev.ctx.queryEnd);
    return base - vs.offsetMillis();
  }

  /** Selects once for this evaluator's whole range, with hints filled as Prometheus fills them. */
  private List<SeriesData> fetch(VectorSelector vs, long range) {
    EvalContext ctx = ev.ctx;
    long start;
    long end;
    if (vs.at() != null) {
      start = end = vs.at().resolve(ctx.queryStart, ctx.queryEnd);
    } else {
      start = ev.start;
      end = ev.end;
    }
    start -= range == 0 ? ctx.lookbackMillis : range;
    start -= vs.offsetMillis();
    end -= vs.offsetMillis();
    SelectorPaths.Enclosing enc = ctx.paths.of(vs);
    // An instant selector without @ is read only at this evaluator's steps (shifted by the offset), and only its
    // newest sample at or before each: the store may leave the others out.
    boolean onSteps = range == 0 && vs.at() == null;
    // Under a subquery the store is read at the subquery's steps, as Prometheus hints (its innermost interval):
    // choosing a resolution from the outer step would read x[10m:10s] at a 1 h query step from the 5 m tier.
    // An instant query keeps 0, the finest data.
    long step = ctx.queryStep == 0 ? 0 : Math.min(ctx.queryStep, ev.interval);
    SelectHints hints = new SelectHints(start, end, step, range, enc.function(), enc.grouping(),
        ctx.maxSourceResolution, ev.start - vs.offsetMillis(),
        !onSteps ? SelectHints.READ_ANYWHERE : ev.start == ev.end ? 0 : ev.interval);
    List<StoredSeries> stored;
    try {
      stored = ctx.data.select(hints, vs.matchers());
    } catch (QueryException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new QueryException(QueryException.Type.INTERNAL, "expanding series: " + e.getMessage());
    }
    List<SeriesData> out = new ArrayList<>(stored.size());
    StoredSeries.WindowAggregates.Column column = StoredSeries.WindowAggregates.Column.forSelector(enc.function(), range != 0);
    for (StoredSeries s : stored) {
      ctx.limits.poll();
      SeriesData d = SeriesData.copy(s, start, end, range != 0, column);
      if (d.size() > 0) {
        out.add(d);
      }
    }
    return out;
  }
}
