package io.acceltel.promql.parser;

/**
 * An {@code @} modifier: a fixed timestamp, or {@code start()} / {@code end()} of the query, resolved when the query
 * is evaluated.
 */
public record At(Kind kind, long millis) {
  /** What the modifier refers to. */
  public enum Kind { TIMESTAMP, START, END }

  public static final At START = new At(Kind.START, 0);
  public static final At END = new At(Kind.END, 0);

  public static At timestamp(long millis) {
    return new At(Kind.TIMESTAMP, millis);
  }

  /** The evaluation timestamp this modifier pins to. */
  public long resolve(long queryStart, long queryEnd) {
    return switch (kind) {
      case TIMESTAMP -> millis;
      case START -> queryStart;
      case END -> queryEnd;
    };
  }
}
