package io.acceltel.model.series;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.acceltel.model.text.Excerpt;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One label matcher of a PromQL selector: {@code name="v"}, {@code name!="v"}, {@code name=~"re"} or
 * {@code name!~"re"}. Regular expressions are RE2 (linear time, no backreferences) and fully anchored, as in
 * Prometheus 2.x: {@code =~"gpu.*"} means {@code ^(?:gpu.*)$}. An absent label matches as the empty string, so
 * {@code foo=""} selects series without {@code foo}, and {@code foo!=""} selects series that have it.
 *
 * <pre>{@code
 * List<LabelMatcher> ms = List.of(
 *     LabelMatcher.equal("__name__", "accelerator_power_watts"),
 *     LabelMatcher.regex("node", "n1|n2"));
 * ms.get(1).matches(labels.get("node"));   // null (absent) counts as ""
 * }</pre>
 *
 * Immutable and thread-safe; the regex is compiled once, at construction.
 */
public final class LabelMatcher {

  /** The four PromQL matcher operators. */
  public enum Type {
    EQUAL("="), NOT_EQUAL("!="), REGEX("=~"), NOT_REGEX("!~");

    private final String operator;

    Type(String operator) {
      this.operator = operator;
    }

    /** The operator as written in PromQL. */
    public String operator() {
      return operator;
    }
  }

  private final Type type;
  private final String name;
  private final String value;
  /** A regex that is not a plain set of literals, compiled; null otherwise. */
  private final Pattern pattern;
  /**
   * For a regex that is only a literal alternation ("a|b|c", or Grafana's multi-value "(a\\.b|c)"), its members;
   * else null. Lets an index look up, and matching needs no regex: a dashboard variable of thousands of pods stays
   * a hash lookup however long it is.
   */
  private final List<String> setMatches;
  private final Set<String> literalSet;
  private final boolean matchesEmpty;

  private LabelMatcher(Type type, String name, String value) {
    this.type = Objects.requireNonNull(type, "type");
    this.name = Objects.requireNonNull(name, "name");
    this.value = Objects.requireNonNull(value, "value");
    if (type == Type.REGEX || type == Type.NOT_REGEX) {
      this.setMatches = literalAlternation(value);
      this.literalSet = setMatches == null ? null : Set.copyOf(setMatches);
      this.pattern = setMatches == null ? compile(name, value) : null;
    } else {
      this.pattern = null;
      this.setMatches = null;
      this.literalSet = null;
    }
    this.matchesEmpty = matches("");
  }

  private static Pattern compile(String name, String regex) {
    // (?:...) so that an alternation stays inside the anchors: "a|b" must not become "^a|b$".
    String compiled = "(?:" + regex + ")";
    RegexSize.check("for label " + name, regex, compiled, "a plain list of values such as \"(a|b\\\\.c)\" is "
        + "matched as a set and may be of any length, so select by values or by a shorter pattern");
    try {
      return Pattern.compile(compiled);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("invalid regular expression for label " + name + ": "
          + e.getDescription() + ": `" + Excerpt.of(regex) + "`", e);
    }
  }


  public static LabelMatcher of(Type type, String name, String value) {
    return new LabelMatcher(type, name, value);
  }

  public static LabelMatcher equal(String name, String value) {
    return new LabelMatcher(Type.EQUAL, name, value);
  }

  public static LabelMatcher notEqual(String name, String value) {
    return new LabelMatcher(Type.NOT_EQUAL, name, value);
  }

  public static LabelMatcher regex(String name, String regex) {
    return new LabelMatcher(Type.REGEX, name, regex);
  }

  public static LabelMatcher notRegex(String name, String regex) {
    return new LabelMatcher(Type.NOT_REGEX, name, regex);
  }

  public Type type() {
    return type;
  }

  public String name() {
    return name;
  }

  public String value() {
    return value;
  }

  /** Whether a label value matches; {@code null} (label absent) is treated as the empty string. */
  public boolean matches(String labelValue) {
    String v = labelValue == null ? "" : labelValue;
    return switch (type) {
      case EQUAL -> value.equals(v);
      case NOT_EQUAL -> !value.equals(v);
      case REGEX -> regexMatches(v);
      case NOT_REGEX -> !regexMatches(v);
    };
  }

  private boolean regexMatches(String v) {
    return literalSet != null ? literalSet.contains(v) : pattern.matches(v);
  }

  /** Whether the empty string (an absent label) matches; such matchers also select series lacking the label. */
  public boolean matchesEmpty() {
    return matchesEmpty;
  }

  /**
   * For {@code =~"a|b|c"} made only of literals, the values {@code [a, b, c]}, so an index can look them up
   * instead of scanning every value; null otherwise (also for the other types).
   */
  public List<String> setMatches() {
    // !~"a|b" matches every value but a and b: its literals are not the values it selects.
    return type == Type.REGEX ? setMatches : null;
  }

  private static List<String> literalAlternation(String regex) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    // Grafana writes a multi-value variable as "(v1|v2)", escaping the metacharacters in each value.
    int from = 0;
    int to = regex.length();
    if (to >= 2 && regex.charAt(0) == '(' && regex.charAt(to - 1) == ')' && regex.charAt(to - 2) != '\\') {
      from = 1;
      to--;
    }
    for (int i = from; i < to; i++) {
      char c = regex.charAt(i);
      if (c == '|') {
        out.add(cur.toString());
        cur.setLength(0);
      } else if (c == '\\' && i + 1 < to && isEscapedLiteral(regex.charAt(i + 1))) {
        cur.append(regex.charAt(++i));
      } else if (RE2_METACHARACTERS.indexOf(c) < 0 && !Character.isSurrogate(c)) {
        // Everything else is itself in RE2: Grafana escapes only the metacharacters, so values with '%', '#',
        // '<', spaces or accents must stay a set too.
        cur.append(c);
      } else {
        return null; // a metacharacter: not a plain literal set
      }
    }
    out.add(cur.toString());
    return List.copyOf(out);
  }

  /** The characters that are not themselves in an RE2 pattern outside a class ('|' is handled on its own). */
  private static final String RE2_METACHARACTERS = "\\.+*?()[]{}^$|";

  /** In RE2 a backslash before ASCII punctuation means that character itself. */
  private static boolean isEscapedLiteral(char c) {
    return c < 128 && !Character.isLetterOrDigit(c) && c > ' ';
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LabelMatcher m && type == m.type && name.equals(m.name) && value.equals(m.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, name, value);
  }

  /** PromQL notation: {@code name=~"value"}. */
  @Override
  public String toString() {
    return name + type.operator + '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
