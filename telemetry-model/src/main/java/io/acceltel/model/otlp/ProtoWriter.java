package io.acceltel.model.otlp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable buffer of protobuf wire format: tags, varints, fixed64s, and length-delimited fields whose content is
 * already encoded. The encoder writes each nested message into its own writer and embeds it with its length, which
 * is what the wire format needs and what the protobuf builders do less directly.
 */
final class ProtoWriter {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LENGTH_DELIMITED = 2;

  private byte[] buf;
  private int size;

  ProtoWriter(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  int size() {
    return size;
  }

  void reset() {
    size = 0;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  /** The bytes written, without a copy when the writer was sized exactly; the writer must not be used after. */
  byte[] buffer() {
    return size == buf.length ? buf : toByteArray();
  }

  ProtoWriter tag(int field, int wireType) {
    return varint((long) field << 3 | wireType);
  }

  ProtoWriter varint(long value) {
    ensure(10);
    while ((value & ~0x7FL) != 0) {
      buf[size++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    buf[size++] = (byte) value;
    return this;
  }

  ProtoWriter fixed64(int field, long value) {
    tag(field, FIXED64);
    ensure(8);
    for (int i = 0; i < 8; i++) {
      buf[size++] = (byte) (value >>> (8 * i));
    }
    return this;
  }

  ProtoWriter uint(int field, long value) {
    return tag(field, VARINT).varint(value);
  }

  /** A string field; proto3 leaves an empty one out unless it is in a oneof ({@code always}). */
  ProtoWriter string(int field, String value, boolean always) {
    if (value.isEmpty() && !always) {
      return this;
    }
    return bytesField(field, value.getBytes(StandardCharsets.UTF_8), 0, -1);
  }

  /** A length-delimited field holding {@code bytes[from, to)} ({@code to} -1: to the end). */
  ProtoWriter bytesField(int field, byte[] bytes, int from, int to) {
    int end = to < 0 ? bytes.length : to;
    tag(field, LENGTH_DELIMITED).varint(end - from);
    return raw(bytes, from, end);
  }

  /** A length-delimited field holding what {@code content} holds. */
  ProtoWriter message(int field, ProtoWriter content) {
    return bytesField(field, content.buf, 0, content.size);
  }

  /** What {@code content} holds, as it is (fields already in wire format). */
  ProtoWriter raw(ProtoWriter content) {
    return raw(content.buf, 0, content.size);
  }

  /** Bytes already in wire format (one or more encoded fields). */
  ProtoWriter raw(byte[] bytes) {
    return raw(bytes, 0, bytes.length);
  }

  ProtoWriter raw(byte[] bytes, int from, int to) {
    ensure(to - from);
    System.arraycopy(bytes, from, buf, size, to - from);
    size += to - from;
    return this;
  }

  /** The bytes a varint of {@code value} takes. */
  static int varintSize(long value) {
    int n = 1;
    while ((value & ~0x7FL) != 0) {
      value >>>= 7;
      n++;
    }
    return n;
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }
  }
}
