package io.acceltel.aggregator.ingest;

/** Why a record was refused as a whole; each kind is counted, logged once, and the record goes to the dead letters. */
public enum PoisonKind {
  /** Not a valid protobuf message of the expected schema (random or truncated bytes). */
  UNDECODABLE,
  /** A metric name or label that cannot name a series: empty, reserved ({@code __x}), or not valid UTF-8. */
  BAD_LABELS,
  /** A timestamp that is missing (0), negative, or too far in the future to be a real reading. */
  BAD_TIMESTAMP;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
