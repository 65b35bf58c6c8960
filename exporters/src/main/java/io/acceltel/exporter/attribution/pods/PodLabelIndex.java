package io.acceltel.exporter.attribution.pods;

import java.util.Map;

/**
 * The mapped metric labels of every pod on this node, keyed by {@code namespace/name}: immutable, swapped whole on
 * every pod event and read by the tick thread without locks.
 *
 * <pre>{@code
 * PodLabelIndex index = PodLabelIndex.of(Map.of("team-llm/worker-0", Map.of("tenant_id", "120273")));
 * index.labels("team-llm", "worker-0");   // {tenant_id=120273}
 * }</pre>
 */
public record PodLabelIndex(Map<String, Map<String, String>> byPod) {
  public static final PodLabelIndex EMPTY = new PodLabelIndex(Map.of());

  public PodLabelIndex {
    byPod = Map.copyOf(byPod);
  }

  public static PodLabelIndex of(Map<String, Map<String, String>> byPod) {
    return new PodLabelIndex(byPod);
  }

  /** The pod's metric labels; empty when the pod is unknown (not yet seen, or gone). */
  public Map<String, String> labels(String namespace, String pod) {
    return byPod.getOrDefault(namespace + '/' + pod, Map.of());
  }
}
