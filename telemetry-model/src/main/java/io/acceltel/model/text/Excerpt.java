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
    return text.length() <= MAX_CHARS ? text : text.substring(0, MAX_CHARS) + "…(" + text.length() + " characters)";
  }
}
