package io.acceltel.aggregator.api;

import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.text.Excerpt;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the series selectors of {@code match[]} ({@code up}, {@code up{job="a",instance=~"x.*"}},
 * {@code {__name__=~"gpu_.*"}}), as Prometheus's {@code parser.ParseMetricSelector}: string literals in double or
 * single quotes with Go escapes or in backquotes raw, a trailing comma allowed, errors as
 * {@code 1:<col>: parse error: <what>}. A selector must have at least one matcher that does not match the empty
 * string.
 *
 * <pre>{@code
 * List<LabelMatcher> ms = SeriesSelectors.parse("accelerator_power_watts{node=\"n1\"}");
 * }</pre>
 */
public final class SeriesSelectors {
  private final String in;
  private int pos;

  private SeriesSelectors(String in) {
    this.in = in;
  }

  /** Parses one selector. @throws IllegalArgumentException with Prometheus-style position and message */
  public static List<LabelMatcher> parse(String selector) {
    SeriesSelectors p = new SeriesSelectors(selector);
    List<LabelMatcher> ms = p.selector();
    boolean nonEmpty = false;
    for (LabelMatcher m : ms) {
      if (!m.matchesEmpty()) {
        nonEmpty = true;
        break;
      }
    }
    if (!nonEmpty) {
      throw p.error(0, "vector selector must contain at least one non-empty matcher");
    }
    return ms;
  }

  /** Parses every {@code match[]} value; an error names the parameter, as Prometheus's invalidParamError. */
  public static List<List<LabelMatcher>> parseAll(List<String> selectors) {
    List<List<LabelMatcher>> out = new ArrayList<>();
    for (String s : selectors) {
      try {
        out.add(parse(s));
      } catch (IllegalArgumentException e) {
        throw ApiError.invalidParam("match[]", e.getMessage());
      }
    }
    return out;
  }

  private List<LabelMatcher> selector() {
    List<LabelMatcher> ms = new ArrayList<>();
    skipSpace();
    String name = null;
    if (pos < in.length() && isMetricStart(in.charAt(pos))) {
      int start = pos;
      while (pos < in.length() && isMetricChar(in.charAt(pos))) {
        pos++;
      }
      name = in.substring(start, pos);
      if (isKeyword(name)) {
        throw error(start, "unexpected " + name + " in selector");
      }
      skipSpace();
    }
    if (pos < in.length() && in.charAt(pos) == '{') {
      pos++;
      matchers(ms);
    } else if (name == null) {
      if (pos >= in.length()) {
        throw error(pos, "unexpected end of input");
      }
      throw error(pos, "unexpected character: '" + in.charAt(pos) + "'");
    }
    skipSpace();
    if (pos < in.length()) {
      throw error(pos, "unexpected character after selector: '" + in.charAt(pos) + "'");
    }
    if (name != null) {
      for (LabelMatcher m : ms) {
        if (m.name().equals("__name__")) {
          throw error(0, "metric name must not be set twice: \"" + Excerpt.of(name) + "\" or \""
              + Excerpt.of(m.value()) + "\"");
        }
      }
      ms.add(0, LabelMatcher.equal("__name__", name));
    }
    return ms;
  }

  private void matchers(List<LabelMatcher> ms) {
    while (true) {
      skipSpace();
      if (pos >= in.length()) {
        throw error(pos, "unexpected end of input inside braces");
      }
      if (in.charAt(pos) == '}') {
        pos++;
        return;
      }
      int start = pos;
      if (!isLabelStart(in.charAt(pos))) {
        throw error(pos, "unexpected character inside braces: '" + in.charAt(pos) + "'");
      }
      while (pos < in.length() && isLabelChar(in.charAt(pos))) {
        pos++;
      }
      String label = in.substring(start, pos);
      skipSpace();
      LabelMatcher.Type type;
      if (in.startsWith("=~", pos)) {
        type = LabelMatcher.Type.REGEX;
        pos += 2;
      } else if (in.startsWith("!~", pos)) {
        type = LabelMatcher.Type.NOT_REGEX;
        pos += 2;
      } else if (in.startsWith("!=", pos)) {
        type = LabelMatcher.Type.NOT_EQUAL;
        pos += 2;
      } else if (in.startsWith("=", pos)) {
        type = LabelMatcher.Type.EQUAL;
        pos += 1;
      } else {
        throw error(pos, "unexpected " + describe() + " in label matching, expected label matching operator");
      }
      skipSpace();
      int valueStart = pos;
      String value = string();
      try {
        ms.add(LabelMatcher.of(type, label, value));
      } catch (IllegalArgumentException e) {
        throw error(valueStart, e.getMessage());
      }
      skipSpace();
      if (pos < in.length() && in.charAt(pos) == ',') {
        pos++;
      } else if (pos < in.length() && in.charAt(pos) == '}') {
        pos++;
        return;
      } else {
        throw error(pos, "unexpected " + describe() + " in label matching, expected \",\" or \"}\"");
      }
    }
  }

  private String string() {
    if (pos >= in.length()) {
      throw error(pos, "unexpected end of input, expected string");
    }
    char q = in.charAt(pos);
    if (q != '"' && q != '\'' && q != '`') {
      throw error(pos, "unexpected " + describe() + " in label matching, expected string");
    }
    int start = pos++;
    StringBuilder sb = new StringBuilder();
    while (pos < in.length()) {
      char c = in.charAt(pos++);
      if (c == q) {
        return sb.toString();
      }
      if (c == '\\' && q != '`') {
        if (pos >= in.length()) {
          break;
        }
        char e = in.charAt(pos++);
        switch (e) {
          case 'a' -> sb.append('\u0007');
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'v' -> sb.append('\u000b');
          case '\\' -> sb.append('\\');
          case '"', '\'' -> {
            if (e != q) {
              throw error(pos - 2, "unknown escape sequence in string");
            }
            sb.append(e);
          }
          case 'x' -> sb.appendCodePoint(hex(2));
          case 'u' -> sb.appendCodePoint(hex(4));
          case 'U' -> sb.appendCodePoint(hex(8));
          default -> {
            if (e >= '0' && e <= '7') {
              int v = e - '0';
              for (int k = 0; k < 2; k++) {
                if (pos >= in.length() || in.charAt(pos) < '0' || in.charAt(pos) > '7') {
                  throw error(pos, "invalid octal escape in string");
                }
                v = v * 8 + (in.charAt(pos++) - '0');
              }
              sb.append((char) v);
            } else {
              throw error(pos - 2, "unknown escape sequence in string");
            }
          }
        }
      } else if (c == '\n' && q != '`') {
        throw error(pos - 1, "unterminated quoted string");
      } else {
        sb.append(c);
      }
    }
    throw error(start, "unterminated quoted string");
  }

  private int hex(int digits) {
    if (pos + digits > in.length()) {
      throw error(pos, "invalid escape in string");
    }
    try {
      int v = Integer.parseUnsignedInt(in.substring(pos, pos + digits), 16);
      pos += digits;
      return v;
    } catch (NumberFormatException e) {
      throw error(pos, "invalid escape in string");
    }
  }

  private String describe() {
    return pos >= in.length() ? "end of input" : "character '" + in.charAt(pos) + "'";
  }

  private void skipSpace() {
    while (pos < in.length() && Character.isWhitespace(in.charAt(pos))) {
      pos++;
    }
  }

  private IllegalArgumentException error(int at, String message) {
    int line = 1;
    int col = 1;
    for (int i = 0; i < at && i < in.length(); i++) {
      if (in.charAt(i) == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return new IllegalArgumentException(line + ":" + col + ": parse error: " + message);
  }

  private static boolean isKeyword(String s) {
    return switch (s) {
      case "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool"
          -> true;
      default -> false;
    };
  }

  private static boolean isMetricStart(char c) {
    return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isMetricChar(char c) {
    return isMetricStart(c) || (c >= '0' && c <= '9');
  }

  private static boolean isLabelStart(char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isLabelChar(char c) {
    return isLabelStart(c) || (c >= '0' && c <= '9');
  }
}
