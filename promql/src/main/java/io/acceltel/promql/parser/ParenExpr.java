package io.acceltel.promql.parser;

/** A parenthesised expression; kept in the tree so positions and printing stay faithful. */
public record ParenExpr(Expr expr, int pos) implements Expr {
  @Override
  public ValueType type() {
    return expr.type();
  }

  /** The expression inside any number of parentheses. */
  public static Expr unwrap(Expr e) {
    while (e instanceof ParenExpr p) {
      e = p.expr();
    }
    return e;
  }
}
