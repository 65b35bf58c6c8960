package io.acceltel.model.text;

/**
 * The start of a text that came from outside (a label name, a regex, a query parameter), for an error message or a
 * log line: a request may carry megabytes, and echoing them back floods the client, the log and the log pipeline.
 *
 * <pre>{@code
 * throw new IllegalArgumentException("invalid label name '" + Excerpt.of(name) + "'");
 * }</pre>
 */
public final class Excerpt {
  /** Characters kept: enough to recognise any real name or expression. */
  public static final int MAX_CHARS = 256;

  private Excerpt() {}

  /** The text itself when short, else its first {@link #MAX_CHARS} characters and its length. */
  public static String of(String text) {
    return of(text, MAX_CHARS);
  }

  /** The text itself when at most {@code maxChars} long, else its start and its length. */
  public static String of(String text, int maxChars) {
    return text.length() <= maxChars ? text : text.substring(0, maxChars) + "…(" + text.length() + " characters)";
  }

  /**
   * For a log line: at most {@code maxChars} of the text, with backslash, double quote and every control character
   * escaped, so that a query carrying a carriage return or a terminal escape cannot forge or garble lines.
   */
  public static String escaped(String text, int maxChars) {
    String kept = of(text, maxChars);
    StringBuilder out = new StringBuilder(kept.length() + 16);
    for (int i = 0; i < kept.length(); i++) {
      char c = kept.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
            out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
