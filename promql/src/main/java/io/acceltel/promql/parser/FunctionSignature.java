package io.acceltel.promql.parser;

import static io.acceltel.promql.parser.ValueType.MATRIX;
import static io.acceltel.promql.parser.ValueType.SCALAR;
import static io.acceltel.promql.parser.ValueType.STRING;
import static io.acceltel.promql.parser.ValueType.VECTOR;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The signature of a PromQL function, as in Prometheus's {@code parser.Functions}: argument types, how many
 * trailing arguments are optional ({@code variadic}: 0 none, n up to n more, -1 unlimited repeats of the last
 * type) and the return type. The evaluation of each function lives in {@code functions.FunctionTable}.
 */
public record FunctionSignature(String name, List<ValueType> argTypes, int variadic, ValueType returnType) {
  private static final Map<String, FunctionSignature> ALL = new HashMap<>();

  private static void def(String name, ValueType ret, int variadic, ValueType... args) {
    ALL.put(name, new FunctionSignature(name, List.of(args), variadic, ret));
  }

  static {
    for (String f : List.of("abs", "ceil", "floor", "exp", "sqrt", "ln", "log2", "log10", "sgn", "deg", "rad",
        "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
        "sort", "sort_desc", "timestamp", "histogram_count", "histogram_sum")) {
      def(f, VECTOR, 0, VECTOR);
    }
    for (String f : List.of("avg_over_time", "count_over_time", "sum_over_time", "min_over_time", "max_over_time",
        "stddev_over_time", "stdvar_over_time", "last_over_time", "present_over_time", "absent_over_time",
        "rate", "increase", "delta", "irate", "idelta", "deriv", "changes", "resets")) {
      def(f, VECTOR, 0, MATRIX);
    }
    for (String f : List.of("day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute",
        "month", "year")) {
      def(f, VECTOR, 1, VECTOR);
    }
    def("absent", VECTOR, 0, VECTOR);
    def("clamp", VECTOR, 0, VECTOR, SCALAR, SCALAR);
    def("clamp_max", VECTOR, 0, VECTOR, SCALAR);
    def("clamp_min", VECTOR, 0, VECTOR, SCALAR);
    def("round", VECTOR, 1, VECTOR, SCALAR);
    def("histogram_quantile", VECTOR, 0, SCALAR, VECTOR);
    def("histogram_fraction", VECTOR, 0, SCALAR, SCALAR, VECTOR);
    def("holt_winters", VECTOR, 0, MATRIX, SCALAR, SCALAR);
    def("predict_linear", VECTOR, 0, MATRIX, SCALAR);
    def("quantile_over_time", VECTOR, 0, SCALAR, MATRIX);
    def("label_replace", VECTOR, 0, VECTOR, STRING, STRING, STRING, STRING);
    def("label_join", VECTOR, -1, VECTOR, STRING, STRING, STRING);
    def("pi", SCALAR, 0);
    def("time", SCALAR, 0);
    def("scalar", SCALAR, 0, VECTOR);
    def("vector", VECTOR, 0, SCALAR);
  }

  /** The signature of a function, or null when PromQL has no such function. */
  public static FunctionSignature lookup(String name) {
    return ALL.get(name);
  }
}
