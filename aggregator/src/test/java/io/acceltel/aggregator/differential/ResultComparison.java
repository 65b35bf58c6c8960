package io.acceltel.aggregator.differential;

import io.acceltel.aggregator.api.ApiClient;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares two Prometheus API answers to the same query: the same status and, for errors, the same
 * {@code errorType} and HTTP code (messages may differ); for results, the same {@code resultType}, the same series
 * (by label set; vector order only for {@code sort}/{@code sort_desc}), the same timestamps, and values equal within
 * a relative tolerance of 1e-6 (or 1e-9 absolute, for cancellation noise around zero), NaN equal to NaN, infinities
 * by sign. Returns the differences, empty when the answers agree.
 */
final class ResultComparison {
  static final double RELATIVE = 1e-6;
  static final double ABSOLUTE = 1e-9;
  private static final int MAX_LISTED = 8;

  private ResultComparison() {
  }

  static List<String> compare(ApiClient.Reply expected, ApiClient.Reply actual, boolean ordered) {
    List<String> diffs = new ArrayList<>();
    if (expected.json() == null || actual.json() == null) {
      diffs.add("not JSON: prometheus " + expected.status() + " " + abbreviate(expected.body()) + " / acceltel "
          + actual.status() + " " + abbreviate(actual.body()));
      return diffs;
    }
    Object es = expected.json().get("status");
    Object as = actual.json().get("status");
    if (!es.equals(as)) {
      diffs.add("status: prometheus " + es + " (" + expected.status() + " " + describe(expected) + ") / acceltel "
          + as + " (" + actual.status() + " " + describe(actual) + ")");
      return diffs;
    }
    if ("error".equals(es)) {
      if (!expected.errorType().equals(actual.errorType()) || expected.status() != actual.status()) {
        diffs.add("error: prometheus " + expected.status() + " " + expected.errorType() + " '" + expected.error()
            + "' / acceltel " + actual.status() + " " + actual.errorType() + " '" + actual.error() + "'");
      }
      return diffs;
    }
    Map<?, ?> ed = (Map<?, ?>) expected.data();
    Map<?, ?> ad = (Map<?, ?>) actual.data();
    String et = (String) ed.get("resultType");
    String at = (String) ad.get("resultType");
    if (!et.equals(at)) {
      diffs.add("resultType: prometheus " + et + " / acceltel " + at);
      return diffs;
    }
    Object er = ed.get("result");
    Object ar = ad.get("result");
    switch (et) {
      case "scalar", "string" -> point("", (List<?>) er, (List<?>) ar, diffs);
      case "vector" -> series((List<?>) er, (List<?>) ar, "value", ordered, diffs);
      case "matrix" -> series((List<?>) er, (List<?>) ar, "values", true, diffs);
      default -> diffs.add("unknown resultType " + et);
    }
    return diffs;
  }

  private static void series(List<?> expected, List<?> actual, String key, boolean ordered, List<String> diffs) {
    Map<String, Map<?, ?>> e = byLabels(expected);
    Map<String, Map<?, ?>> a = byLabels(actual);
    if (e.size() != expected.size() || a.size() != actual.size()) {
      diffs.add("duplicate label sets in a result: prometheus " + expected.size() + " series (" + e.size()
          + " distinct) / acceltel " + actual.size() + " (" + a.size() + " distinct)");
    }
    List<String> missing = new ArrayList<>();
    List<String> extra = new ArrayList<>();
    for (String k : e.keySet()) {
      if (!a.containsKey(k)) {
        missing.add(k);
      }
    }
    for (String k : a.keySet()) {
      if (!e.containsKey(k)) {
        extra.add(k);
      }
    }
    if (!missing.isEmpty()) {
      diffs.add("series only prometheus has (" + missing.size() + "): " + list(missing));
    }
    if (!extra.isEmpty()) {
      diffs.add("series only acceltel has (" + extra.size() + "): " + list(extra));
    }
    if (ordered && missing.isEmpty() && extra.isEmpty()) {
      List<String> eo = new ArrayList<>(e.keySet());
      List<String> ao = new ArrayList<>(a.keySet());
      if (!eo.equals(ao)) {
        diffs.add("order: prometheus " + list(eo) + " / acceltel " + list(ao));
      }
    }
    int listed = 0;
    for (Map.Entry<String, Map<?, ?>> en : e.entrySet()) {
      Map<?, ?> other = a.get(en.getKey());
      if (other == null) {
        continue;
      }
      int before = diffs.size();
      if (key.equals("value")) {
        point(en.getKey() + " ", (List<?>) en.getValue().get("value"), (List<?>) other.get("value"), diffs);
      } else {
        points(en.getKey(), (List<?>) en.getValue().get("values"), (List<?>) other.get("values"), diffs);
      }
      if (diffs.size() > before && ++listed >= MAX_LISTED) {
        diffs.add("(further series not compared)");
        return;
      }
    }
  }

  private static void points(String series, List<?> expected, List<?> actual, List<String> diffs) {
    List<?> e = expected == null ? List.of() : expected;
    List<?> a = actual == null ? List.of() : actual;
    TreeMap<BigDecimal, String> em = new TreeMap<>();
    TreeMap<BigDecimal, String> am = new TreeMap<>();
    for (Object p : e) {
      em.put((BigDecimal) ((List<?>) p).get(0), (String) ((List<?>) p).get(1));
    }
    for (Object p : a) {
      am.put((BigDecimal) ((List<?>) p).get(0), (String) ((List<?>) p).get(1));
    }
    List<String> bad = new ArrayList<>();
    for (Map.Entry<BigDecimal, String> p : em.entrySet()) {
      String other = am.get(p.getKey());
      if (other == null) {
        bad.add(p.getKey().toPlainString() + ": prometheus " + p.getValue() + " / acceltel (none)");
      } else if (!sameValue(p.getValue(), other)) {
        bad.add(p.getKey().toPlainString() + ": prometheus " + p.getValue() + " / acceltel " + other);
      }
    }
    for (Map.Entry<BigDecimal, String> p : am.entrySet()) {
      if (!em.containsKey(p.getKey())) {
        bad.add(p.getKey().toPlainString() + ": prometheus (none) / acceltel " + p.getValue());
      }
    }
    if (!bad.isEmpty()) {
      bad.sort((x, y) -> new BigDecimal(x.substring(0, x.indexOf(':')))
          .compareTo(new BigDecimal(y.substring(0, y.indexOf(':')))));
      diffs.add(series + ": " + bad.size() + " of " + Math.max(e.size(), a.size()) + " points differ, e.g. "
          + list(bad));
    }
  }

  private static void point(String prefix, List<?> expected, List<?> actual, List<String> diffs) {
    BigDecimal et = (BigDecimal) expected.get(0);
    BigDecimal at = (BigDecimal) actual.get(0);
    if (et.compareTo(at) != 0) {
      diffs.add(prefix + "timestamp: prometheus " + et + " / acceltel " + at);
    }
    String ev = (String) expected.get(1);
    String av = (String) actual.get(1);
    if (!sameValue(ev, av)) {
      diffs.add(prefix + "value: prometheus " + ev + " / acceltel " + av);
    }
  }

  static boolean sameValue(String e, String a) {
    if (e.equals(a)) {
      return true;
    }
    double x;
    double y;
    try {
      x = parse(e);
      y = parse(a);
    } catch (NumberFormatException ex) {
      return false; // string results
    }
    if (Double.isNaN(x) || Double.isNaN(y)) {
      return Double.isNaN(x) && Double.isNaN(y);
    }
    if (Double.isInfinite(x) || Double.isInfinite(y)) {
      return x == y;
    }
    double diff = Math.abs(x - y);
    return diff <= ABSOLUTE || diff <= RELATIVE * Math.max(Math.abs(x), Math.abs(y));
  }

  private static double parse(String s) {
    return switch (s) {
      case "NaN" -> Double.NaN;
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(s);
    };
  }

  private static Map<String, Map<?, ?>> byLabels(List<?> result) {
    Map<String, Map<?, ?>> out = new LinkedHashMap<>();
    for (Object o : result) {
      Map<?, ?> s = (Map<?, ?>) o;
      out.put(labels((Map<?, ?>) s.get("metric")), s);
    }
    return out;
  }

  private static String labels(Map<?, ?> metric) {
    return new TreeMap<>(metric).toString();
  }

  private static String describe(ApiClient.Reply r) {
    return r.errorType() != null ? r.errorType() + " '" + r.error() + "'" : abbreviate(String.valueOf(r.data()));
  }

  private static String list(List<String> items) {
    return items.size() <= MAX_LISTED ? items.toString()
        : items.subList(0, MAX_LISTED) + " and " + (items.size() - MAX_LISTED) + " more";
  }

  static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }
}
