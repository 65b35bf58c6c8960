package io.acceltel.promql.engine;

/**
 * A query that cannot be answered, with Prometheus's error type, so the HTTP API can map it to the same
 * {@code errorType} and status code: bad_data 400, execution 422, timeout 503, canceled 499, internal 500.
 */
public final class QueryException extends RuntimeException {
  public enum Type {
    BAD_DATA("bad_data"),
    EXECUTION("execution"),
    TIMEOUT("timeout"),
    CANCELED("canceled"),
    INTERNAL("internal");

    private final String wire;

    Type(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  private final Type type;

  public QueryException(Type type, String message) {
    super(message, null, false, false);
    this.type = type;
  }

  public Type type() {
    return type;
  }
}
