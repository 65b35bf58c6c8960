package io.acceltel.promql.engine;

import io.acceltel.promql.parser.SubqueryExpr;
import io.acceltel.promql.value.Series;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Subqueries {@code expr[range:step]}: the inner expression is evaluated once, over every inner step any outer step
 * needs (steps aligned to multiples of the subquery step, as Prometheus aligns them), and each outer step then takes
 * the closed window {@code [t - offset - range, t - offset]} of those points.
 */
final class Subqueries {
  private final Evaluator ev;
  private final Map<SubqueryExpr, List<SeriesData>> results = new IdentityHashMap<>();

  Subqueries(Evaluator ev) {
    this.ev = ev;
  }

  StepValue.Ranges window(SubqueryExpr sq, long ts) {
    List<SeriesData> data = results.computeIfAbsent(sq, this::evaluate);
    long base = sq.at() == null ? ts : sq.at().resolve(ev.ctx.queryStart, ev.ctx.queryEnd);
    long ref = base - sq.offsetMillis();
    long mint = ref - sq.rangeMillis();
    List<RangeWindow> out = new ArrayList<>();
    long loaded = 0;
    for (SeriesData s : data) {
      ev.ctx.limits.poll();
      RangeWindow w = s.window(mint, ref);
      if (w != null) {
        out.add(w);
        loaded += w.size();
      }
    }
    ev.ctx.limits.load(loaded);
    return new StepValue.Ranges(out);
  }

  private List<SeriesData> evaluate(SubqueryExpr sq) {
    long step = sq.stepMillis() != 0 ? sq.stepMillis() : ev.ctx.defaultSubqueryStep;
    long baseStart;
    long baseEnd;
    if (sq.at() != null) {
      baseStart = baseEnd = sq.at().resolve(ev.ctx.queryStart, ev.ctx.queryEnd);
    } else {
      baseStart = ev.start;
      baseEnd = ev.end;
    }
    long first = baseStart - sq.offsetMillis() - sq.rangeMillis();
    // Java's division truncates toward zero like Go's, so negative times align as in Prometheus.
    long innerStart = step * (first / step);
    if (innerStart < first) {
      innerStart += step;
    }
    long innerEnd = baseEnd - sq.offsetMillis();
    Evaluator inner = new Evaluator(ev.ctx, innerStart, innerEnd, step);
    List<Series> series = inner.evalSeries(sq.expr());
    List<SeriesData> out = new ArrayList<>(series.size());
    for (Series s : series) {
      out.add(new SeriesData(s.labels(), s.timestamps(), s.values(), null));
    }
    return out;
  }
}
