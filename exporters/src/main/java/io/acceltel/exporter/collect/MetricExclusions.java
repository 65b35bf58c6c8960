package io.acceltel.exporter.collect;

import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.acceltel.model.snapshot.Reading;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The device metrics an operator leaves out of what the exporter emits ({@code /metrics} and the Kafka stream),
 * e.g. {@code accelerator_nvlink_*} on a node whose 18 links per GPU would add hundreds of series nobody graphs.
 * Patterns are resolved against the catalog once, at start, so a tick only tests set membership; a pattern that
 * matches no device metric is refused then rather than silently excluding nothing. Device health still sees every
 * reading: an excluded metric can still make a device degraded.
 *
 * <pre>{@code
 * CollectionLoop.builder(node, devices)
 *     .exclusions(MetricExclusions.of(List.of("accelerator_nvlink_*")))
 *     .listener(exposition)             // gets each tick without the excluded readings
 *     .unfilteredListener(healthMonitor) // gets every reading
 * }</pre>
 */
public final class MetricExclusions {
  public static final MetricExclusions NONE = new MetricExclusions(List.of(), Set.of());
  private static final Pattern GLOB = Pattern.compile("[a-zA-Z_:*][a-zA-Z0-9_:*]*");

  private final List<String> patterns;
  private final Set<MetricDefinition> excluded;

  private MetricExclusions(List<String> patterns, Set<MetricDefinition> excluded) {
    this.patterns = List.copyOf(patterns);
    this.excluded = excluded;
  }

  /**
   * Resolves name patterns ({@code *} matches any run of characters) against the catalog's device metrics.
   *
   * @throws IllegalArgumentException naming the first pattern that is malformed or matches no device metric
   */
  public static MetricExclusions of(List<String> patterns) {
    Set<MetricDefinition> excluded = Collections.newSetFromMap(new IdentityHashMap<>());
    for (String glob : patterns) {
      if (!GLOB.matcher(glob).matches()) {
        throw new IllegalArgumentException("'" + glob + "' is not a metric name pattern: use the letters, digits, "
            + "'_' and ':' of metric names, and '*' for any run of them");
      }
      Pattern pattern = Pattern.compile(Pattern.quote(glob).replace("*", "\\E.*\\Q"));
      boolean matched = false;
      for (MetricDefinition metric : MetricCatalog.all()) {
        if (metric.perDevice() && pattern.matcher(metric.name()).matches()) {
          excluded.add(metric);
          matched = true;
        }
      }
      if (!matched) {
        throw new IllegalArgumentException("'" + glob + "' matches no device metric; the names are listed in "
            + "docs/metrics.md (e.g. accelerator_nvlink_*)");
      }
    }
    return excluded.isEmpty() ? NONE : new MetricExclusions(patterns, Collections.unmodifiableSet(excluded));
  }

  /** The patterns as configured. */
  public List<String> patterns() {
    return patterns;
  }

  /** How many catalog metrics the patterns matched. */
  public int size() {
    return excluded.size();
  }

  /** True when nothing is excluded. */
  public boolean isEmpty() {
    return excluded.isEmpty();
  }

  public boolean excludes(MetricDefinition metric) {
    return excluded.contains(metric);
  }

  /** The snapshot without the excluded readings; the same instance when nothing is excluded. */
  public NodeSnapshot apply(NodeSnapshot snapshot) {
    if (excluded.isEmpty()) {
      return snapshot;
    }
    List<DeviceSnapshot> devices = new ArrayList<>(snapshot.devices().size());
    for (DeviceSnapshot device : snapshot.devices()) {
      List<Reading> kept = new ArrayList<>(device.readings().size());
      for (Reading reading : device.readings()) {
        if (!excludes(reading.metric())) {
          kept.add(reading);
        }
      }
      devices.add(device.withReadings(kept, device.attribution()));
    }
    return new NodeSnapshot(snapshot.node(), snapshot.timestampMillis(), devices);
  }
}
