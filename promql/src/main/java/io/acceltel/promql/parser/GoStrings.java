package io.acceltel.promql.parser;

/** Go's string quoting and unquoting, as PromQL uses them for string literals and messages. */
public final class GoStrings {
  private GoStrings() {}

  /** Go's {@code %q}: double quotes with backslash escapes. */
  public static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\x%02x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /**
   * Unquotes a PromQL string literal written with double quotes, single quotes or backticks (raw), with Go's
   * escapes ({@code \n}, {@code \x41}, {@code \u00e9}, octal {@code \101}, ...).
   */
  public static String unquote(String literal) {
    char q = literal.charAt(0);
    String body = literal.substring(1, literal.length() - 1);
    if (q == '`') {
      return body;
    }
    // \x and octal escapes are single bytes, as in Go: "caf\xc3\xa9" is the UTF-8 of "café", not four chars.
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(body.length());
    StringBuilder text = new StringBuilder(body.length());
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c != '\\') {
        text.append(c);
        continue;
      }
      if (++i >= body.length()) {
        throw new IllegalArgumentException("invalid syntax");
      }
      char e = body.charAt(i);
      switch (e) {
        case 'a' -> text.append('\u0007');
        case 'b' -> text.append('\b');
        case 'f' -> text.append('\f');
        case 'n' -> text.append('\n');
        case 'r' -> text.append('\r');
        case 't' -> text.append('\t');
        case 'v' -> text.append('\u000b');
        case '\\' -> text.append('\\');
        case '\'', '"' -> {
          if (e != q) {
            throw new IllegalArgumentException("invalid syntax");
          }
          text.append(e);
        }
        case 'x' -> {
          flush(text, bytes);
          bytes.write(digits(body, i + 1, 2, 16));
          i += 2;
        }
        case 'u' -> {
          text.appendCodePoint(codePoint(digits(body, i + 1, 4, 16)));
          i += 4;
        }
        case 'U' -> {
          text.appendCodePoint(codePoint(digits(body, i + 1, 8, 16)));
          i += 8;
        }
        default -> {
          if (e >= '0' && e <= '7') {
            int value = digits(body, i, 3, 8);
            if (value > 255) {
              throw new IllegalArgumentException("invalid syntax"); // Go: an octal escape is one byte
            }
            flush(text, bytes);
            bytes.write(value);
            i += 2;
          } else {
            throw new IllegalArgumentException("invalid syntax");
          }
        }
      }
    }
    if (bytes.size() == 0) {
      return text.toString();
    }
    flush(text, bytes);
    return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Exactly {@code n} digits of {@code radix} at {@code from}: no sign, no fewer (Integer.parseInt takes both). */
  private static int digits(String s, int from, int n, int radix) {
    if (from + n > s.length()) {
      throw new IllegalArgumentException("invalid syntax");
    }
    long value = 0;
    for (int k = from; k < from + n; k++) {
      char c = s.charAt(k);
      // ASCII only: Character.digit also takes other scripts' digits and fullwidth letters, which Go refuses.
      int d = c < 128 ? Character.digit(c, radix) : -1;
      if (d < 0) {
        throw new IllegalArgumentException("invalid syntax");
      }
      value = value * radix + d;
    }
    if (value > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("invalid syntax");
    }
    return (int) value;
  }

  /** A 4- or 8-digit Unicode escape must name a Unicode scalar value: not a surrogate, not past U+10FFFF. */
  private static int codePoint(int value) {
    if (value > Character.MAX_CODE_POINT || (value >= 0xD800 && value <= 0xDFFF)) {
      throw new IllegalArgumentException("invalid syntax");
    }
    return value;
  }

  private static void flush(StringBuilder text, java.io.ByteArrayOutputStream bytes) {
    bytes.writeBytes(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    text.setLength(0);
  }
}
