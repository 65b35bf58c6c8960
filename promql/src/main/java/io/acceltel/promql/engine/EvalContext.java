package io.acceltel.promql.engine;

import io.acceltel.promql.parser.Expr;
import io.acceltel.promql.storage.Queryable;
import java.util.ArrayList;
import java.util.List;

/** What every evaluator of one query shares: the data, the query's time range, settings, limits and warnings. */
final class EvalContext {
  final Queryable data;
  final long queryStart;
  final long queryEnd;
  final long queryStep;
  final long lookbackMillis;
  final long defaultSubqueryStep;
  final long maxSourceResolution;
  final Limits limits;
  final SelectorPaths paths;
  final List<String> warnings = new ArrayList<>();

  EvalContext(Queryable data, long queryStart, long queryEnd, long queryStep, long lookbackMillis,
      long defaultSubqueryStep, long maxSourceResolution, Limits limits, Expr root) {
    this.data = data;
    this.queryStart = queryStart;
    this.queryEnd = queryEnd;
    this.queryStep = queryStep;
    this.lookbackMillis = lookbackMillis;
    this.defaultSubqueryStep = defaultSubqueryStep;
    this.maxSourceResolution = maxSourceResolution;
    this.limits = limits;
    this.paths = SelectorPaths.of(root);
  }
}
