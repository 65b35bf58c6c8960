package io.acceltel.promql.functions;

import io.acceltel.model.series.Labels;
import io.acceltel.promql.engine.LabelsOps;
import io.acceltel.promql.engine.StepValue;
import io.acceltel.promql.value.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Calendar functions in UTC ({@code hour}, {@code day_of_week}, ...): of each sample's value read as Unix seconds,
 * or of the evaluation time when called without argument. Fields come from {@link GoTime} so that odd inputs (NaN,
 * Inf, huge values) give Prometheus's answers.
 */
final class DateFunctions {
  private DateFunctions() {}

  static PromFunction date(ToLongFunction<GoTime> f) {
    return args -> {
      List<Sample> out = new ArrayList<>();
      if (args.size() == 0) {
        out.add(new Sample(Labels.EMPTY, args.time(), f.applyAsLong(GoTime.ofSeconds(args.time() / 1000.0))));
        return new StepValue.Vec(out);
      }
      for (Sample s : args.vector(0)) {
        out.add(new Sample(LabelsOps.dropMetricName(s.labels()), args.time(),
            f.applyAsLong(GoTime.ofSeconds(s.value()))));
      }
      return new StepValue.Vec(out);
    };
  }

  static void register(Map<String, PromFunction> t) {
    t.put("day_of_month", date(g -> g.day));
    t.put("day_of_week", date(g -> g.weekday));
    t.put("day_of_year", date(g -> g.yearDay));
    t.put("days_in_month", date(GoTime::daysInMonth));
    t.put("hour", date(g -> g.hour));
    t.put("minute", date(g -> g.minute));
    t.put("month", date(g -> g.month));
    t.put("year", date(g -> g.year));
  }
}
