package io.acceltel.aggregator.differential;

import io.acceltel.aggregator.api.ApiParams;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The differential corpus: {@code differential/*.queries} files, one PromQL query per line. Lines starting with
 * {@code #} are comments, except the directives, which hold until the next one:
 *
 * <pre>
 * # instant at T0+30m                 instant queries at that time
 * # range T0 T0+1h 60s                range queries: start, end (inclusive), step
 * # known-difference: why             the next query may differ (listed in KNOWN_DIFFERENCES.md)
 * </pre>
 *
 * Times are {@code T0} (the dataset's start, 2023-11-14T22:00:00Z) plus or minus a Prometheus duration, or Unix
 * seconds. Inside a query, {@code ${T0+10m}} is replaced by that time in Unix seconds (for {@code @}).
 */
final class Corpus {
  /** One query to run on both servers. */
  record Query(String file, int line, String promql, boolean range, long time, long start, long end, long step,
      String knownDifference) {
    String describe() {
      return file + ":" + line + " " + (range ? "range [" + start / 1000.0 + ", " + end / 1000.0 + "] step "
          + step / 1000.0 + "s" : "instant at " + time / 1000.0) + ": " + promql;
    }
  }

  private static final Pattern INSTANT = Pattern.compile("#\\s*instant at (\\S+)\\s*");
  private static final Pattern RANGE = Pattern.compile("#\\s*range (\\S+) (\\S+) (\\S+)\\s*");
  private static final Pattern KNOWN = Pattern.compile("#\\s*known-difference:\\s*(.+)");
  private static final Pattern TIME_VAR = Pattern.compile("\\$\\{([^}]+)}");

  private Corpus() {
  }

  static List<Query> load(List<String> resources) throws IOException {
    List<Query> out = new ArrayList<>();
    for (String resource : resources) {
      try (InputStream in = Corpus.class.getResourceAsStream("/differential/" + resource)) {
        if (in == null) {
          throw new IOException("missing corpus file differential/" + resource);
        }
        out.addAll(parse(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
      }
    }
    return out;
  }

  static List<Query> parse(String file, String text) {
    List<Query> out = new ArrayList<>();
    boolean range = false;
    long time = Dataset.T0 + Dataset.HOUR / 2;
    long start = Dataset.T0;
    long end = Dataset.T0 + Dataset.HOUR;
    long step = 60_000;
    String known = null;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("#")) {
        Matcher m;
        if ((m = INSTANT.matcher(line)).matches()) {
          range = false;
          time = time(m.group(1), file, i);
        } else if ((m = RANGE.matcher(line)).matches()) {
          range = true;
          start = time(m.group(1), file, i);
          end = time(m.group(2), file, i);
          step = ApiParams.parseDuration(m.group(3));
        } else if ((m = KNOWN.matcher(line)).matches()) {
          known = m.group(1).strip();
        }
        continue;
      }
      Matcher v = TIME_VAR.matcher(line);
      StringBuilder q = new StringBuilder();
      while (v.find()) {
        v.appendReplacement(q, Matcher.quoteReplacement(seconds(time(v.group(1), file, i))));
      }
      v.appendTail(q);
      out.add(new Query(file, i + 1, q.toString(), range, time, start, end, step, known));
      known = null;
    }
    return out;
  }

  static String seconds(long millis) {
    return millis % 1000 == 0 ? Long.toString(millis / 1000) : Double.toString(millis / 1000.0);
  }

  /** {@code T0}, {@code T0+30m}, {@code T0-5m} or Unix seconds. */
  static long time(String s, String file, int line) {
    try {
      if (s.startsWith("T0")) {
        String rest = s.substring(2);
        if (rest.isEmpty()) {
          return Dataset.T0;
        }
        long d = ApiParams.parseDuration(rest.substring(1));
        return rest.charAt(0) == '-' ? Dataset.T0 - d : Dataset.T0 + d;
      }
      return ApiParams.parseTime(s);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(file + ":" + (line + 1) + ": bad time '" + s + "': " + e.getMessage(), e);
    }
  }
}
