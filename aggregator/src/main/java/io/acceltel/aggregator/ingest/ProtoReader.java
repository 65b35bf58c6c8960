package io.acceltel.aggregator.ingest;

/**
 * A minimal protobuf wire-format reader over a byte range, with positions exposed, so decoders can hash the raw
 * bytes of a series' labels instead of building strings for every sample. Malformed input throws
 * {@link MalformedPayloadException}; nothing here allocates.
 */
final class ProtoReader {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LENGTH_DELIMITED = 2;
  static final int FIXED32 = 5;

  private byte[] buf;
  private int pos;
  private int limit;

  ProtoReader reset(byte[] buf, int offset, int limit) {
    if (offset < 0 || limit > buf.length || offset > limit) {
      throw new MalformedPayloadException("range out of bounds");
    }
    this.buf = buf;
    this.pos = offset;
    this.limit = limit;
    return this;
  }

  boolean hasMore() {
    return pos < limit;
  }

  int position() {
    return pos;
  }

  byte[] buffer() {
    return buf;
  }

  /** Reads a tag; returns it (field number << 3 | wire type). */
  int tag() {
    long tag = varint();
    if (tag <= 0 || tag > Integer.MAX_VALUE) {
      throw new MalformedPayloadException("invalid tag " + tag);
    }
    return (int) tag;
  }

  long varint() {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= limit) {
        throw new MalformedPayloadException("truncated varint");
      }
      byte b = buf[pos++];
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return result;
      }
    }
    throw new MalformedPayloadException("varint longer than 10 bytes");
  }

  long fixed64() {
    if (limit - pos < 8) {
      throw new MalformedPayloadException("truncated fixed64");
    }
    long v = (buf[pos] & 0xFFL) | (buf[pos + 1] & 0xFFL) << 8 | (buf[pos + 2] & 0xFFL) << 16
        | (buf[pos + 3] & 0xFFL) << 24 | (buf[pos + 4] & 0xFFL) << 32 | (buf[pos + 5] & 0xFFL) << 40
        | (buf[pos + 6] & 0xFFL) << 48 | (buf[pos + 7] & 0xFFL) << 56;
    pos += 8;
    return v;
  }

  /** Reads a length prefix and returns the end offset of the field's bytes, which start at {@link #position()}. */
  int lengthDelimitedEnd() {
    long len = varint();
    if (len < 0 || len > limit - pos) {
      throw new MalformedPayloadException("length " + len + " runs past the end of the message");
    }
    return pos + (int) len;
  }

  void skipTo(int offset) {
    pos = offset;
  }

  void skip(int tag) {
    switch (tag & 7) {
      case VARINT -> varint();
      case FIXED64 -> {
        if (limit - pos < 8) {
          throw new MalformedPayloadException("truncated fixed64");
        }
        pos += 8;
      }
      case LENGTH_DELIMITED -> pos = lengthDelimitedEnd();
      case FIXED32 -> {
        if (limit - pos < 4) {
          throw new MalformedPayloadException("truncated fixed32");
        }
        pos += 4;
      }
      default -> throw new MalformedPayloadException("unsupported wire type " + (tag & 7));
    }
  }
}
