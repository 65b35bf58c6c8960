package io.acceltel.aggregator.api;

import java.util.Arrays;

/**
 * A small streaming JSON writer into one growable byte array, for API responses that can hold millions of points:
 * no tree, no per-value objects; numbers are written straight into the array. Strings are escaped as Go's
 * {@code encoding/json} does (which Prometheus's responses use): {@code <}, {@code >}, {@code &}, U+2028 and
 * U+2029 as {@code \\uXXXX}, control characters as {@code \\n}, {@code \\r}, {@code \\t} or {@code \\u00XX}, and a
 * lone surrogate as U+FFFD.
 *
 * <pre>{@code
 * JsonWriter w = new JsonWriter();
 * w.beginObject().name("status").string("success").name("data").beginArray().string("a").endArray().endObject();
 * byte[] body = w.toBytes();    // {"status":"success","data":["a"]}
 * }</pre>
 *
 * Not thread-safe; one per response.
 */
public final class JsonWriter {
  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  /** The largest response written: 512 MiB, a quarter of what a Java array can hold. */
  static final int MAX_BYTES = 512 << 20;
  private final int maxBytes;
  private byte[] buf;
  private int len;
  /** Per nesting depth: whether the next element is the first (no comma before it). */
  private boolean[] first = new boolean[16];
  private int depth;
  private boolean afterName;

  public JsonWriter() {
    this(1024);
  }

  public JsonWriter(int initialCapacity) {
    this(initialCapacity, MAX_BYTES);
  }

  /** With a smaller bound than {@link #MAX_BYTES}, for tests. */
  JsonWriter(int initialCapacity, int maxBytes) {
    this.maxBytes = maxBytes;
    buf = new byte[Math.max(16, Math.min(initialCapacity, maxBytes))];
  }

  public int size() {
    return len;
  }

  public byte[] toBytes() {
    return Arrays.copyOf(buf, len);
  }

  /** The internal buffer, valid up to {@link #size()}; no copy. */
  public byte[] buffer() {
    return buf;
  }

  @Override
  public String toString() {
    return new String(buf, 0, len, java.nio.charset.StandardCharsets.UTF_8);
  }

  public JsonWriter beginObject() {
    beforeValue();
    push();
    put('{');
    return this;
  }

  public JsonWriter endObject() {
    depth--;
    put('}');
    return this;
  }

  public JsonWriter beginArray() {
    beforeValue();
    push();
    put('[');
    return this;
  }

  public JsonWriter endArray() {
    depth--;
    put(']');
    return this;
  }

  public JsonWriter name(String name) {
    beforeValue();
    writeString(name);
    put(':');
    afterName = true;
    return this;
  }

  public JsonWriter string(String value) {
    beforeValue();
    writeString(value);
    return this;
  }

  public JsonWriter number(long value) {
    beforeValue();
    putAscii(Long.toString(value));
    return this;
  }

  public JsonWriter bool(boolean value) {
    beforeValue();
    putAscii(value ? "true" : "false");
    return this;
  }

  public JsonWriter nullValue() {
    beforeValue();
    putAscii("null");
    return this;
  }

  /** A timestamp in seconds as Prometheus writes it ({@link PromFormat#writeTimestamp}). */
  public JsonWriter timestamp(long millis) {
    beforeValue();
    ensure(PromFormat.MAX_TIMESTAMP_LENGTH);
    len = PromFormat.writeTimestamp(buf, len, millis);
    return this;
  }

  /** A sample value as a JSON string ({@link PromFormat#writeValue}): {@code "1.5"}, {@code "NaN"}. */
  public JsonWriter sampleValue(double v) {
    beforeValue();
    ensure(PromFormat.MAX_VALUE_LENGTH + 2);
    buf[len++] = '"';
    len = PromFormat.writeValue(buf, len, v);
    buf[len++] = '"';
    return this;
  }

  /** A scalar result, as Prometheus 2.42's {@code promql.Scalar.MarshalJSON}: {@code [1.5,"0.0000001"]}. */
  public JsonWriter scalarPoint(long millis, double v) {
    beginArray();
    scalarTimestamp(millis);
    beforeValue();
    ensure(PromFormat.MAX_PLAIN_LENGTH + 2);
    buf[len++] = '"';
    len = PromFormat.writePlain(buf, len, v);
    buf[len++] = '"';
    return endArray();
  }

  /** A string result, as {@code promql.String.MarshalJSON}: {@code [1.5,"text"]}. */
  public JsonWriter stringPoint(long millis, String value) {
    beginArray();
    scalarTimestamp(millis);
    string(value);
    return endArray();
  }

  /** {@code [<ts>,"<v>"]}: one point. */
  public JsonWriter point(long millis, double v) {
    beginArray();
    timestamp(millis);
    sampleValue(v);
    return endArray();
  }

  private void scalarTimestamp(long millis) {
    beforeValue();
    ensure(PromFormat.MAX_PLAIN_LENGTH);
    len = PromFormat.writeScalarTimestamp(buf, len, millis);
  }

  private void push() {
    depth++;
    if (depth >= first.length) {
      first = Arrays.copyOf(first, first.length * 2);
    }
    first[depth] = true;
  }

  private void beforeValue() {
    if (afterName) {
      afterName = false;
      return;
    }
    if (depth > 0) {
      if (first[depth]) {
        first[depth] = false;
      } else {
        put(',');
      }
    }
  }

  private void writeString(String s) {
    put('"');
    int n = s.length();
    ensure(n + 2);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
          put((byte) c);
          continue;
        }
        switch (c) {
          case '"' -> putAscii("\\\"");
          case '\\' -> putAscii("\\\\");
          case '\n' -> putAscii("\\n");
          case '\r' -> putAscii("\\r");
          case '\t' -> putAscii("\\t");
          default -> unicodeEscape(c);
        }
      } else if (c < 0x800) {
        put((byte) (0xC0 | (c >> 6)));
        put((byte) (0x80 | (c & 0x3F)));
      } else if (c == 0x2028 || c == 0x2029) {
        unicodeEscape(c);
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        put((byte) (0xF0 | (cp >> 18)));
        put((byte) (0x80 | ((cp >> 12) & 0x3F)));
        put((byte) (0x80 | ((cp >> 6) & 0x3F)));
        put((byte) (0x80 | (cp & 0x3F)));
      } else if (Character.isSurrogate(c)) {
        unicodeEscape('\uFFFD');
      } else {
        put((byte) (0xE0 | (c >> 12)));
        put((byte) (0x80 | ((c >> 6) & 0x3F)));
        put((byte) (0x80 | (c & 0x3F)));
      }
    }
    put('"');
  }

  private void unicodeEscape(char c) {
    put('\\');
    put('u');
    put(HEX[(c >> 12) & 0xF]);
    put(HEX[(c >> 8) & 0xF]);
    put(HEX[(c >> 4) & 0xF]);
    put(HEX[c & 0xF]);
  }

  private void putAscii(CharSequence s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[len++] = (byte) s.charAt(i);
    }
  }

  private void put(char c) {
    put((byte) c);
  }

  private void put(byte b) {
    if (len == buf.length) {
      ensure(1);
    }
    buf[len++] = b;
  }

  private void ensure(int extra) {
    if (len + extra > buf.length) {
      long needed = (long) len + extra;
      if (needed > maxBytes) {
        // A query under the sample limit can still make a response of gigabytes (49M points are ~1.1 GB of JSON):
        // refused before the heap is, as the other query limits are.
        throw ApiError.execution("the response would be larger than " + maxBytes + " bytes; select fewer series, "
            + "a shorter range or a larger step");
      }
      buf = Arrays.copyOf(buf, (int) Math.min(maxBytes, Math.max(2L * buf.length, needed)));
    }
  }
}
