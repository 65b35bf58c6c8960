package io.acceltel.aggregator.ingest;

/** The bytes are not a valid message of the expected schema; the record is poison. */
final class MalformedPayloadException extends RuntimeException {
  MalformedPayloadException(String message) {
    super(message, null, false, false);
  }
}
