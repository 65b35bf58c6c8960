package io.acceltel.promql.promqltest;

import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.series.Labels;
import io.acceltel.promql.engine.StaleNaN;
import io.acceltel.promql.parser.Durations;
import io.acceltel.promql.parser.Parser;
import io.acceltel.promql.parser.VectorSelector;
import java.util.ArrayList;
import java.util.List;

/**
 * A test script in the spirit of Prometheus's promqltest:
 *
 * <pre>
 * load 5m
 *   http_requests{job="api", instance="0"}  0+10x10
 *   other 1 _ 3 stale 5x2
 *
 * eval instant at 50m sum by (job) (http_requests)
 *   {job="api"} 100
 *
 * eval_ordered instant at 50m sort(http_requests)
 *   ...
 *
 * eval range from 0 to 10m step 5m http_requests
 *   http_requests{job="api", instance="0"} 0 10 20
 *
 * eval_fail instant at 0m foo +
 *   expected_fail_message 1:6: parse error: unexpected end of input
 *
 * clear
 * </pre>
 *
 * Values: numbers, Inf, -Inf, NaN, {@code stale}, {@code _} (no sample), {@code a+bxn} (n+1 values from a step b),
 * {@code a-bxn}, {@code axn} (a repeated n+1 times), {@code _xn} (n gaps). A scalar result is expected as a bare
 * number line. Lines starting with # are comments.
 */
final class TestScript {
  /** One command of a script. */
  sealed interface Command permits Load, Clear, Eval {}

  record Load(long intervalMillis, List<SeriesSpec> series, int line) implements Command {}

  record Clear(int line) implements Command {}

  /** An expected or loaded series: labels and one value per step (null = no sample). */
  record SeriesSpec(Labels labels, List<Double> values) {}

  record Eval(String expr, boolean range, long start, long end, long step, boolean ordered, boolean fail,
      String failMessage, String failRegexp, Double scalar, List<SeriesSpec> expected, int line)
      implements Command {}

  private TestScript() {}

  static List<Command> parse(List<String> lines) {
    List<Command> out = new ArrayList<>();
    int i = 0;
    while (i < lines.size()) {
      String line = lines.get(i).strip();
      int lineNo = i + 1;
      i++;
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.equals("clear")) {
        out.add(new Clear(lineNo));
        continue;
      }
      List<String> body = new ArrayList<>();
      while (i < lines.size() && !lines.get(i).isBlank() && Character.isWhitespace(lines.get(i).charAt(0))) {
        String b = lines.get(i).strip();
        if (!b.startsWith("#")) {
          body.add(b);
        }
        i++;
      }
      if (line.startsWith("load ")) {
        long interval = Durations.parseMillis(line.substring(5).strip());
        List<SeriesSpec> series = new ArrayList<>();
        for (String b : body) {
          series.add(seriesSpec(b));
        }
        out.add(new Load(interval, series, lineNo));
      } else if (line.startsWith("eval")) {
        out.add(eval(line, body, lineNo));
      } else {
        throw new IllegalArgumentException("line " + lineNo + ": unknown command: " + line);
      }
    }
    return out;
  }

  private static Eval eval(String line, List<String> body, int lineNo) {
    String cmd = line.substring(0, line.indexOf(' '));
    boolean fail = cmd.equals("eval_fail");
    boolean ordered = cmd.equals("eval_ordered");
    String rest = line.substring(cmd.length()).strip();
    boolean range;
    long start;
    long end;
    long step = 0;
    String expr;
    if (rest.startsWith("instant at ")) {
      range = false;
      rest = rest.substring("instant at ".length());
      int sp = rest.indexOf(' ');
      start = end = time(rest.substring(0, sp));
      expr = rest.substring(sp + 1).strip();
    } else if (rest.startsWith("range from ")) {
      range = true;
      String[] parts = rest.substring("range from ".length()).split(" ", 6);
      // from <t> to <t> step <d> <expr>
      start = time(parts[0]);
      end = time(parts[2]);
      step = Durations.parseMillis(parts[4]);
      expr = parts[5].strip();
    } else {
      throw new IllegalArgumentException("line " + lineNo + ": bad eval: " + line);
    }
    String failMessage = null;
    String failRegexp = null;
    Double scalar = null;
    List<SeriesSpec> expected = new ArrayList<>();
    for (String b : body) {
      if (b.startsWith("expected_fail_message ")) {
        failMessage = b.substring("expected_fail_message ".length());
      } else if (b.startsWith("expected_fail_regexp ")) {
        failRegexp = b.substring("expected_fail_regexp ".length());
      } else if (!b.startsWith("{") && !Character.isLetter(b.charAt(0)) || b.matches("(?i)[+-]?(inf|nan)")) {
        scalar = value(b);
      } else {
        expected.add(seriesSpec(b));
      }
    }
    return new Eval(expr, range, start, end, step, ordered, fail, failMessage, failRegexp, scalar, expected,
        lineNo);
  }

  private static long time(String s) {
    if (s.matches("-?[0-9]+")) {
      return Long.parseLong(s) * 1000;
    }
    if (s.startsWith("-")) {
      return -Durations.parseMillis(s.substring(1));
    }
    return Durations.parseMillis(s);
  }

  /** {@code metric{a="b"} values...}; the label part is parsed with the PromQL parser. */
  static SeriesSpec seriesSpec(String line) {
    int split = selectorEnd(line);
    String sel = line.substring(0, split).strip();
    String vals = line.substring(split).strip();
    Labels labels = labels(sel);
    List<Double> values = new ArrayList<>();
    if (!vals.isEmpty()) {
      for (String tok : vals.split("\\s+")) {
        expand(tok, values);
      }
    }
    return new SeriesSpec(labels, values);
  }

  private static int selectorEnd(String line) {
    boolean inQuote = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (inQuote) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inQuote = false;
        }
      } else if (c == '"') {
        inQuote = true;
      } else if (c == '}') {
        return i + 1;
      } else if (Character.isWhitespace(c) && line.indexOf('{') < 0) {
        return i;
      } else if (Character.isWhitespace(c) && line.indexOf('{') > i) {
        return i;
      }
    }
    return line.length();
  }

  static Labels labels(String sel) {
    if (sel.equals("{}")) {
      return Labels.EMPTY;
    }
    VectorSelector vs = (VectorSelector) Parser.parse(sel);
    Labels.Builder b = new Labels.Builder();
    for (LabelMatcher m : vs.matchers()) {
      b.set(m.name(), m.value());
    }
    return b.build();
  }

  private static void expand(String tok, List<Double> out) {
    int x = tok.indexOf('x');
    if (x > 0 && !tok.startsWith("0x")) {
      int n = Integer.parseInt(tok.substring(x + 1));
      String base = tok.substring(0, x);
      if (base.equals("_")) {
        for (int i = 0; i < n; i++) {
          out.add(null);
        }
        return;
      }
      int op = Math.max(base.lastIndexOf('+'), base.lastIndexOf('-'));
      if (op <= 0 || base.charAt(op - 1) == 'e' || base.charAt(op - 1) == 'E') {
        double v = value(base);
        for (int i = 0; i <= n; i++) {
          out.add(v);
        }
        return;
      }
      double start = value(base.substring(0, op));
      double step = value(base.substring(op + 1));
      if (base.charAt(op) == '-') {
        step = -step;
      }
      double cur = start;
      for (int i = 0; i <= n; i++) {
        out.add(cur);
        cur += step;
      }
      return;
    }
    out.add(tok.equals("_") ? null : value(tok));
  }

  static double value(String s) {
    return switch (s.toLowerCase(java.util.Locale.ROOT)) {
      case "inf", "+inf" -> Double.POSITIVE_INFINITY;
      case "-inf" -> Double.NEGATIVE_INFINITY;
      case "nan" -> Double.NaN;
      case "stale" -> StaleNaN.VALUE;
      default -> s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Double.parseDouble(s);
    };
  }
}
