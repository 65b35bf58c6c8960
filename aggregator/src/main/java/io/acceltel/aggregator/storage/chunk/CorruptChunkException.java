package io.acceltel.aggregator.storage.chunk;

/** A chunk's bytes do not decode: a truncated or damaged file. The message says where decoding stopped. */
public final class CorruptChunkException extends RuntimeException {
  public CorruptChunkException(String message) {
    super(message);
  }
}
