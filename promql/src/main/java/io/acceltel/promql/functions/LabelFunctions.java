package io.acceltel.promql.functions;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.acceltel.model.series.Labels;
import io.acceltel.model.series.RegexSize;
import io.acceltel.model.text.Excerpt;
import io.acceltel.promql.engine.QueryException;
import io.acceltel.promql.engine.StepValue;
import io.acceltel.promql.value.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code label_replace} (RE2 regex, fully anchored, Go's {@code $1}/{@code ${name}} template expansion) and
 * {@code label_join}. Both keep the metric name.
 */
final class LabelFunctions {
  private LabelFunctions() {}

  /**
   * Small patterns by source: a range query evaluates label_replace once per step with the same literal, and
   * compiling an RE2 pattern costs far more than matching a label with it. Bounded in count and in each pattern's
   * size (about 100 KB of compiled program each at most), as queries come from anywhere; a larger pattern is
   * compiled for each step, as before.
   */
  private static final Map<String, Pattern> COMPILED = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Pattern> eldest) {
      return size() > 128;
    }
  };
  private static final long CACHED_MAX_INSTRUCTIONS = 1_000;

  static void register(Map<String, PromFunction> t) {
    t.put("label_replace", LabelFunctions::labelReplace);
    t.put("label_join", LabelFunctions::labelJoin);
  }

  private static StepValue labelReplace(FunctionArgs args) {
    String dst = args.string(1);
    String repl = args.string(2);
    String src = args.string(3);
    String regex = args.string(4);
    Pattern re = compiled(regex);
    if (!Labels.isValidName(dst)) {
      throw new QueryException(QueryException.Type.EXECUTION,
          "invalid destination label name in label_replace(): " + dst);
    }
    List<Sample> in = args.vector(0);
    List<Sample> out = new ArrayList<>(in.size());
    for (Sample s : in) {
      String srcVal = s.labels().get(src);
      Matcher m = re.matcher(srcVal == null ? "" : srcVal);
      Labels labels = s.labels();
      if (m.matches()) {
        String res = expand(repl, m);
        labels = labels.toBuilder().remove(dst).set(dst, res).build();
      }
      out.add(new Sample(labels, args.time(), s.value()));
    }
    return new StepValue.Vec(out);
  }

  /** Compiled outside the cache's lock, so that one large pattern holds up no other query. */
  private static Pattern compiled(String regex) {
    synchronized (COMPILED) {
      Pattern cached = COMPILED.get(regex);
      if (cached != null) {
        return cached;
      }
    }
    String anchored = "^(?:" + regex + ")$";
    try {
      long instructions = RegexSize.check("in label_replace()", regex, anchored, "write a shorter pattern");
      Pattern pattern = Pattern.compile(anchored);
      if (instructions <= CACHED_MAX_INSTRUCTIONS) {
        synchronized (COMPILED) {
          COMPILED.put(regex, pattern);
        }
      }
      return pattern;
    } catch (IllegalArgumentException e) {
      throw new QueryException(QueryException.Type.EXECUTION, e.getMessage());
    } catch (PatternSyntaxException e) {
      throw new QueryException(QueryException.Type.EXECUTION,
          "invalid regular expression in label_replace(): " + Excerpt.of(regex));
    }
  }

  /** Go's {@code Regexp.Expand}: {@code $1}, {@code ${1}}, {@code $name}, {@code ${name}}, {@code $$}. */
  static String expand(String template, Matcher m) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (c != '$') {
        out.append(c);
        i++;
        continue;
      }
      if (i + 1 < template.length() && template.charAt(i + 1) == '$') {
        out.append('$');
        i += 2;
        continue;
      }
      int j = i + 1;
      String name;
      if (j < template.length() && template.charAt(j) == '{') {
        int close = template.indexOf('}', j);
        name = close < 0 ? "" : template.substring(j + 1, close);
        if (name.isEmpty() || !isWord(name)) {
          out.append('$');
          i++;
          continue;
        }
        j = close + 1;
      } else {
        int k = j;
        while (k < template.length() && isWordChar(template.charAt(k))) {
          k++;
        }
        name = template.substring(j, k);
        if (name.isEmpty()) {
          out.append('$');
          i++;
          continue;
        }
        j = k;
      }
      out.append(group(m, name));
      i = j;
    }
    return out.toString();
  }

  private static String group(Matcher m, String name) {
    String g = null;
    // Go's regexp.Expand reads "$01" as the group named "01" (no leading zeros in a number), which never exists.
    if (name.chars().allMatch(Character::isDigit) && !(name.length() > 1 && name.charAt(0) == '0')) {
      try {
        int idx = Integer.parseInt(name);
        if (idx <= m.groupCount()) {
          g = m.group(idx);
        }
      } catch (NumberFormatException e) {
        g = null;
      }
    } else {
      try {
        g = m.group(name);
      } catch (IllegalArgumentException e) {
        g = null;
      }
    }
    return g == null ? "" : g;
  }

  private static boolean isWord(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (!isWordChar(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isWordChar(char c) {
    return c == '_' || Character.isLetterOrDigit(c);
  }

  private static StepValue labelJoin(FunctionArgs args) {
    String dst = args.string(1);
    String sep = args.string(2);
    List<String> srcs = new ArrayList<>();
    for (int i = 3; i < args.size(); i++) {
      String src = args.string(i);
      if (!Labels.isValidName(src)) {
        throw new QueryException(QueryException.Type.EXECUTION, "invalid source label name in label_join(): " + src);
      }
      srcs.add(src);
    }
    if (!Labels.isValidName(dst)) {
      throw new QueryException(QueryException.Type.EXECUTION, "invalid destination label name in label_join(): "
          + dst);
    }
    List<Sample> in = args.vector(0);
    List<Sample> out = new ArrayList<>(in.size());
    for (Sample s : in) {
      StringBuilder joined = new StringBuilder();
      for (int i = 0; i < srcs.size(); i++) {
        if (i > 0) {
          joined.append(sep);
        }
        String v = s.labels().get(srcs.get(i));
        joined.append(v == null ? "" : v);
      }
      Labels labels = s.labels().toBuilder().set(dst, joined.toString()).build();
      out.add(new Sample(labels, args.time(), s.value()));
    }
    return new StepValue.Vec(out);
  }
}
