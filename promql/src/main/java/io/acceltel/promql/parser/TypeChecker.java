package io.acceltel.promql.parser;

import io.acceltel.model.series.LabelMatcher;

/**
 * Prometheus's {@code checkAST}: the type rules of PromQL, checked children first so the first error reported is
 * the one Prometheus reports.
 */
final class TypeChecker {
  private TypeChecker() {}

  static ValueType check(Expr e) {
    if (e instanceof NumberLiteral) {
      return ValueType.SCALAR;
    }
    if (e instanceof StringLiteral) {
      return ValueType.STRING;
    }
    if (e instanceof ParenExpr p) {
      return check(p.expr());
    }
    if (e instanceof VectorSelector vs) {
      checkSelector(vs);
      return ValueType.VECTOR;
    }
    if (e instanceof MatrixSelector ms) {
      checkSelector(ms.selector());
      return ValueType.MATRIX;
    }
    if (e instanceof SubqueryExpr sq) {
      ValueType t = check(sq.expr());
      if (t != ValueType.VECTOR) {
        throw new ParseException(sq.pos(), "subquery is only allowed on instant vector, got " + t.internal()
            + " instead");
      }
      return ValueType.MATRIX;
    }
    if (e instanceof UnaryExpr u) {
      ValueType t = check(u.expr());
      if (t != ValueType.SCALAR && t != ValueType.VECTOR) {
        throw new ParseException(u.pos(),
            "unary expression only allowed on expressions of type scalar or instant vector, got \""
                + t.documented() + "\"");
      }
      return t;
    }
    if (e instanceof AggregateExpr a) {
      expect(a.expr(), ValueType.VECTOR, "aggregation expression");
      switch (a.op()) {
        case "topk", "bottomk", "quantile" -> expect(a.param(), ValueType.SCALAR, "aggregation parameter");
        case "count_values" -> expect(a.param(), ValueType.STRING, "aggregation parameter");
        default -> {
          // no parameter
        }
      }
      return ValueType.VECTOR;
    }
    if (e instanceof Call c) {
      checkCall(c);
      return c.type();
    }
    return checkBinary((BinaryExpr) e);
  }

  private static void expect(Expr e, ValueType want, String context) {
    ValueType t = check(e);
    if (t != want) {
      throw new ParseException(e.pos(), "expected type " + want.documented() + " in " + context + ", got "
          + t.documented());
    }
  }

  private static void checkSelector(VectorSelector vs) {
    if (vs.name() != null) {
      for (int i = 0; i < vs.matchers().size() - 1; i++) {
        LabelMatcher m = vs.matchers().get(i);
        if (m.name().equals("__name__")) {
          throw new ParseException(vs.pos(), "metric name must not be set twice: " + GoStrings.quote(vs.name())
              + " or " + GoStrings.quote(m.value()));
        }
      }
    }
    boolean notEmpty = false;
    for (LabelMatcher m : vs.matchers()) {
      if (!m.matchesEmpty()) {
        notEmpty = true;
        break;
      }
    }
    if (!notEmpty) {
      throw new ParseException(vs.pos(), "vector selector must contain at least one non-empty matcher");
    }
  }

  private static void checkCall(Call c) {
    FunctionSignature f = c.function();
    int nargs = f.argTypes().size();
    int got = c.args().size();
    String name = GoStrings.quote(f.name());
    if (f.variadic() == 0) {
      if (nargs != got) {
        throw new ParseException(c.pos(), "expected " + nargs + " argument(s) in call to " + name + ", got " + got);
      }
    } else {
      int min = nargs - 1;
      if (min > got) {
        throw new ParseException(c.pos(), "expected at least " + min + " argument(s) in call to " + name + ", got "
            + got);
      } else if (f.variadic() > 0 && min + f.variadic() < got) {
        throw new ParseException(c.pos(), "expected at most " + (min + f.variadic()) + " argument(s) in call to "
            + name + ", got " + got);
      }
    }
    for (int i = 0; i < got; i++) {
      int ti = i;
      if (i >= nargs) {
        if (f.variadic() != -1) {
          break;
        }
        ti = nargs - 1;
      }
      expect(c.args().get(i), f.argTypes().get(ti), "call to function " + name);
    }
  }

  private static ValueType checkBinary(BinaryExpr b) {
    ValueType lt = check(b.lhs());
    ValueType rt = check(b.rhs());
    if (b.returnBool() && !b.isComparison()) {
      throw new ParseException(b.opPos(), "bool modifier can only be used on comparison operators");
    }
    if (b.isComparison() && !b.returnBool() && lt == ValueType.SCALAR && rt == ValueType.SCALAR) {
      throw new ParseException(b.opPos(), "comparisons between scalars must use BOOL modifier");
    }
    VectorMatching m = b.matching();
    if (m != null && m.on()) {
      for (String l1 : m.labels()) {
        if (m.include().contains(l1)) {
          throw new ParseException(b.opPos(), "label " + GoStrings.quote(l1)
              + " must not occur in ON and GROUP clause at once");
        }
      }
    }
    if (lt != ValueType.SCALAR && lt != ValueType.VECTOR) {
      throw new ParseException(b.lhs().pos(), "binary expression must contain only scalar and instant vector types");
    }
    if (rt != ValueType.SCALAR && rt != ValueType.VECTOR) {
      throw new ParseException(b.rhs().pos(), "binary expression must contain only scalar and instant vector types");
    }
    if ((lt != ValueType.VECTOR || rt != ValueType.VECTOR) && m != null) {
      if (!m.labels().isEmpty()) {
        throw new ParseException(b.pos(), "vector matching only allowed between instant vectors");
      }
    } else if (b.isSetOperator() && m != null) {
      if (m.card() == VectorMatching.Cardinality.ONE_TO_MANY || m.card() == VectorMatching.Cardinality.MANY_TO_ONE) {
        throw new ParseException(b.pos(), "no grouping allowed for " + GoStrings.quote(b.op()) + " operation");
      }
    }
    if ((lt == ValueType.SCALAR || rt == ValueType.SCALAR) && b.isSetOperator()) {
      throw new ParseException(b.pos(), "set operator " + GoStrings.quote(b.op())
          + " not allowed in binary scalar expression");
    }
    return lt == ValueType.SCALAR && rt == ValueType.SCALAR ? ValueType.SCALAR : ValueType.VECTOR;
  }
}
