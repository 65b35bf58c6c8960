package io.acceltel.model.series;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The identity of a stored series: label names and values sorted by name, {@code __name__} included. Immutable;
 * equality and hash over the sorted pairs, so it can key maps. Shared by the aggregator's storage, its ingest, and
 * the PromQL engine.
 *
 * <pre>{@code
 * Labels l = Labels.of("__name__", "accelerator_power_watts", "node", "n1", "device", "0");
 * l.get("node");            // "n1"
 * l.metricName();           // "accelerator_power_watts"
 * }</pre>
 */
public final class Labels implements Comparable<Labels> {
  public static final String METRIC_NAME = "__name__";
  public static final Labels EMPTY = new Labels(new String[0], new String[0]);

  private final String[] names;
  private final String[] values;
  private final int hash;

  private Labels(String[] names, String[] values) {
    this.names = names;
    this.values = values;
    this.hash = hash(names, values);
  }

  /**
   * Each string's hash goes through a finalizer before it is combined: label sets such as {@code {gpu="3",
   * node="n12"}} differ by small, regular amounts in String.hashCode, and the plain 31-polynomial made whole
   * families of them collide in hash maps (the query engine keys maps by label sets at every step).
   */
  private static int hash(String[] names, String[] values) {
    int h = 1;
    for (int i = 0; i < names.length; i++) {
      h = 31 * h + mix(names[i].hashCode());
      h = 31 * h + mix(values[i].hashCode());
    }
    return mix(h);
  }

  /** Murmur3's 32-bit finalizer. */
  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  /** From alternating name, value arguments; sorts by name and rejects duplicates. */
  /** {@code [a-zA-Z_][a-zA-Z0-9_]*}, Prometheus's label names; null is not one. Checked by hand: ingest runs it. */
  public static boolean isValidName(String name) {
    return isValidName(name, false);
  }

  /** {@code [a-zA-Z_:][a-zA-Z0-9_:]*}, Prometheus's metric names (':' for recording rules); null is not one. */
  public static boolean isValidMetricName(String name) {
    return isValidName(name, true);
  }

  private static boolean isValidName(String name, boolean colon) {
    if (name == null || name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (colon && c == ':')
          || (i > 0 && c >= '0' && c <= '9');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  public static Labels of(String... nameValues) {
    if (nameValues.length % 2 != 0) {
      throw new IllegalArgumentException("labels need name, value pairs; got an odd number of strings");
    }
    TreeMap<String, String> sorted = new TreeMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      if (sorted.put(Objects.requireNonNull(nameValues[i]), Objects.requireNonNull(nameValues[i + 1])) != null) {
        throw new IllegalArgumentException("duplicate label name " + nameValues[i]);
      }
    }
    return fromSorted(sorted);
  }

  /** From a map; empty values are dropped, as in Prometheus, where an empty label equals an absent one. */
  public static Labels of(Map<String, String> labels) {
    TreeMap<String, String> sorted = new TreeMap<>();
    labels.forEach((k, v) -> {
      if (v != null && !v.isEmpty()) {
        sorted.put(k, v);
      }
    });
    return fromSorted(sorted);
  }

  private static Labels fromSorted(TreeMap<String, String> sorted) {
    String[] n = new String[sorted.size()];
    String[] v = new String[sorted.size()];
    int i = 0;
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      n[i] = e.getKey();
      v[i++] = e.getValue();
    }
    return new Labels(n, v);
  }

  public int size() {
    return names.length;
  }

  public String name(int i) {
    return names[i];
  }

  public String value(int i) {
    return values[i];
  }

  /** The value of a label, or null when absent. */
  public String get(String name) {
    int i = Arrays.binarySearch(names, name);
    return i < 0 ? null : values[i];
  }

  public String metricName() {
    return get(METRIC_NAME);
  }

  /** A builder seeded with these labels, to add, replace or drop some. */
  public Builder toBuilder() {
    Builder b = new Builder();
    for (int i = 0; i < names.length; i++) {
      b.set(names[i], values[i]);
    }
    return b;
  }

  public Map<String, String> toMap() {
    TreeMap<String, String> map = new TreeMap<>();
    for (int i = 0; i < names.length; i++) {
      map.put(names[i], values[i]);
    }
    return map;
  }

  public List<String> names() {
    return List.of(names);
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof Labels other && hash == other.hash && Arrays.equals(names, other.names)
        && Arrays.equals(values, other.values);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public int compareTo(Labels o) {
    int n = Math.min(names.length, o.names.length);
    for (int i = 0; i < n; i++) {
      int c = names[i].compareTo(o.names[i]);
      if (c != 0) {
        return c;
      }
      c = values[i].compareTo(o.values[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(names.length, o.names.length);
  }

  /** Prometheus's notation: {@code name{a="1", b="2"}}. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    String metric = metricName();
    if (metric != null) {
      out.append(metric);
    }
    out.append('{');
    boolean first = true;
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(METRIC_NAME)) {
        continue;
      }
      if (!first) {
        out.append(", ");
      }
      first = false;
      out.append(names[i]).append("=\"").append(values[i].replace("\\", "\\\\").replace("\"", "\\\"")
          .replace("\n", "\\n")).append('"');
    }
    return out.append('}').toString();
  }

  /** Builds {@link Labels}; setting an empty value removes the label. */
  public static final class Builder {
    private final TreeMap<String, String> labels = new TreeMap<>();

    public Builder set(String name, String value) {
      if (value == null || value.isEmpty()) {
        labels.remove(name);
      } else {
        labels.put(name, value);
      }
      return this;
    }

    public Builder remove(String name) {
      labels.remove(name);
      return this;
    }

    public Labels build() {
      return fromSorted(labels);
    }

    public List<String> names() {
      return new ArrayList<>(labels.keySet());
    }
  }
}
