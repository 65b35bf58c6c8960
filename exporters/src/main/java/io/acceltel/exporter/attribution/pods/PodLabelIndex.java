package io.acceltel.exporter.attribution.pods;

import java.util.Map;
import java.util.Set;

/**
 * The mapped metric labels of every pod on this node, keyed by {@code namespace/name}: immutable, swapped whole on
 * every pod event and read by the tick thread without locks.
 *
 * <pre>{@code
 * PodLabelIndex index = PodLabelIndex.of(Map.of("team-llm/worker-0", Map.of("tenant_id", "120273")));
 * index.labels("team-llm", "worker-0");   // {tenant_id=120273}
 * }</pre>
 */
public record PodLabelIndex(Map<String, Map<String, String>> byPod, Set<String> finished) {
  public static final PodLabelIndex EMPTY = new PodLabelIndex(Map.of(), Set.of());

  public PodLabelIndex {
    byPod = Map.copyOf(byPod);
    finished = Set.copyOf(finished);
  }

  public static PodLabelIndex of(Map<String, Map<String, String>> byPod) {
    return new PodLabelIndex(byPod, Set.of());
  }

  /** @param finished {@code namespace/name} of the pods whose phase is Succeeded or Failed */
  public static PodLabelIndex of(Map<String, Map<String, String>> byPod, Set<String> finished) {
    return new PodLabelIndex(byPod, finished);
  }

  /**
   * Whether the pod has finished (Succeeded or Failed) but still exists: the kubelet goes on listing its devices,
   * which a new pod may hold by now.
   */
  public boolean finished(String namespace, String pod) {
    return finished.contains(namespace + '/' + pod);
  }

  /** Whether the watch has delivered the pod (its labels may still be none). */
  public boolean known(String namespace, String pod) {
    return byPod.containsKey(namespace + '/' + pod);
  }

  /** The pod's metric labels; empty when the pod is unknown (not yet seen, or gone). */
  public Map<String, String> labels(String namespace, String pod) {
    return byPod.getOrDefault(namespace + '/' + pod, Map.of());
  }
}
