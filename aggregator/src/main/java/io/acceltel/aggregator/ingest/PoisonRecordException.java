package io.acceltel.aggregator.ingest;

/** A record that cannot be ingested at all; nothing of it was appended. */
public final class PoisonRecordException extends Exception {
  private final PoisonKind kind;

  public PoisonRecordException(PoisonKind kind, String detail) {
    super(kind.label() + ": " + detail, null, false, false);
    this.kind = kind;
  }

  public PoisonKind kind() {
    return kind;
  }
}
