package io.acceltel.promql.parser;

import io.acceltel.promql.engine.QueryException;

/**
 * A syntax or type error at a position of the query. {@link #format(String)} renders Prometheus's text:
 * {@code 1:8: parse error: unexpected <op:+>}.
 */
public final class ParseException extends RuntimeException {
  private final int pos;
  private final String detail;

  public ParseException(int pos, String detail) {
    super(detail, null, false, false);
    this.pos = pos;
    this.detail = detail;
  }

  public int pos() {
    return pos;
  }

  public String detail() {
    return detail;
  }

  /** {@code line:col: parse error: detail}, with line and column 1-based as Prometheus counts them. */
  public String format(String query) {
    int p = Math.max(0, Math.min(pos, query.length()));
    int line = 1;
    int lastBreak = -1;
    for (int i = 0; i < p; i++) {
      if (query.charAt(i) == '\n') {
        line++;
        lastBreak = i;
      }
    }
    return line + ":" + (p - lastBreak) + ": parse error: " + detail;
  }

  /** As the engine reports it: a bad_data query error. */
  public QueryException toQueryException(String query) {
    return new QueryException(QueryException.Type.BAD_DATA, format(query));
  }
}
