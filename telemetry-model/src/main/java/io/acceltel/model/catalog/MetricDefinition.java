package io.acceltel.model.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One entry of the metric catalog: the exposed name, its type, unit, help, the labels it adds on top of the device
 * labels, and which native call or field feeds it on each backend.
 *
 * <pre>{@code
 * MetricDefinition power = MetricDefinition.gauge("accelerator_power_watts")
 *     .unit(Unit.WATTS)
 *     .help("Average board power draw over the tick.")
 *     .source(Source.NVML, "nvmlDeviceGetSamples(TOTAL_POWER), averaged; mW / 1000")
 *     .build();
 * }</pre>
 */
public final class MetricDefinition {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private final String name;
  private final MetricType type;
  private final Unit unit;
  private final String help;
  private final List<String> labelNames;
  private final Map<Source, String> sources;
  private final boolean perDevice;

  private MetricDefinition(Builder b) {
    this.name = b.name;
    this.type = b.type;
    this.unit = b.unit;
    this.help = b.help;
    this.labelNames = List.copyOf(b.labelNames);
    this.sources = Collections.unmodifiableMap(new EnumMap<>(b.sources));
    this.perDevice = b.perDevice;
  }

  public static Builder gauge(String name) {
    return new Builder(name, MetricType.GAUGE);
  }

  public static Builder counter(String name) {
    return new Builder(name, MetricType.COUNTER);
  }

  public static Builder info(String name) {
    return new Builder(name, MetricType.INFO);
  }

  public static Builder histogram(String name) {
    return new Builder(name, MetricType.HISTOGRAM);
  }

  /** The name as exposed in the text format, including {@code _total} for counters and {@code _info} for info. */
  public String name() {
    return name;
  }

  /**
   * The name without the type suffix ({@code _total}, {@code _info}), as client_java's snapshot types expect it.
   */
  public String baseName() {
    if (type == MetricType.COUNTER) {
      return name.substring(0, name.length() - "_total".length());
    }
    if (type == MetricType.INFO) {
      return name.substring(0, name.length() - "_info".length());
    }
    return name;
  }

  public MetricType type() {
    return type;
  }

  public Unit unit() {
    return unit;
  }

  public String help() {
    return help;
  }

  /** Labels this metric adds after the device labels, in order. */
  public List<String> labelNames() {
    return labelNames;
  }

  /** Which call or field feeds this metric, per backend; absent when the backend cannot provide it. */
  public Map<Source, String> sources() {
    return sources;
  }

  /** True for device metrics, which carry the device labels; false for the exporter's own metrics. */
  public boolean perDevice() {
    return perDevice;
  }

  @Override
  public String toString() {
    return name;
  }

  /** Builds a {@link MetricDefinition}; {@link #build()} rejects names that do not carry their unit and type. */
  public static final class Builder {
    private final String name;
    private final MetricType type;
    private Unit unit = Unit.NONE;
    private String help;
    private final List<String> labelNames = new ArrayList<>();
    private final Map<Source, String> sources = new EnumMap<>(Source.class);
    private boolean perDevice = true;

    private Builder(String name, MetricType type) {
      this.name = Objects.requireNonNull(name, "name");
      this.type = type;
    }

    public Builder unit(Unit unit) {
      this.unit = Objects.requireNonNull(unit, "unit");
      return this;
    }

    public Builder help(String help) {
      this.help = help;
      return this;
    }

    public Builder labels(String... names) {
      labelNames.addAll(List.of(names));
      return this;
    }

    public Builder source(Source source, String description) {
      sources.put(source, description);
      return this;
    }

    public Builder nvml(String description) {
      return source(Source.NVML, description);
    }

    public Builder dcmi(String description) {
      return source(Source.DCMI, description);
    }

    /** Marks an exporter self-metric: no device labels. */
    public Builder selfMetric(String description) {
      perDevice = false;
      return source(Source.EXPORTER, description);
    }

    public MetricDefinition build() {
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("metric name '" + name + "' is not a valid Prometheus name");
      }
      if (help == null || help.isBlank()) {
        throw new IllegalArgumentException("metric " + name + " has no help text");
      }
      String stem = name;
      if (type == MetricType.COUNTER) {
        if (!stem.endsWith("_total")) {
          throw new IllegalArgumentException("counter " + name + " must end in _total");
        }
        stem = stem.substring(0, stem.length() - "_total".length());
      }
      if (type == MetricType.INFO && !stem.endsWith("_info")) {
        throw new IllegalArgumentException("info metric " + name + " must end in _info");
      }
      if (unit != Unit.NONE && !stem.endsWith("_" + unit.suffix())) {
        throw new IllegalArgumentException(
            "metric " + name + " has unit " + unit + " but its name does not end in _" + unit.suffix());
      }
      for (String label : labelNames) {
        if (!LABEL.matcher(label).matches() || label.startsWith("__")) {
          throw new IllegalArgumentException("metric " + name + " has an invalid label name '" + label + "'");
        }
      }
      if (sources.isEmpty()) {
        throw new IllegalArgumentException("metric " + name + " names no source");
      }
      return new MetricDefinition(this);
    }
  }
}
