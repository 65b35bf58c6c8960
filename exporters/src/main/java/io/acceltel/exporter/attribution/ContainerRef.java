package io.acceltel.exporter.attribution;

import java.util.Comparator;
import java.util.Objects;

/**
 * One container on this node, as the kubelet names it: the key that device allocations and pod labels are joined on.
 * The kubelet's PodResources API carries no pod UID, so namespace, pod and container are the whole key.
 *
 * <pre>{@code
 * ContainerRef ref = new ContainerRef("team-llm", "tj-a1578-worker-0", "pytorch");
 * ref.podKey();   // "team-llm/tj-a1578-worker-0", the key of the pod's labels
 * }</pre>
 *
 * <p>Ordered by namespace, then pod, then container: when several containers share a device (time-slicing, MPS),
 * the smallest one is the one its labels name, so the labels of a shared device do not flap between ticks.
 */
public record ContainerRef(String namespace, String pod, String container) implements Comparable<ContainerRef> {
  private static final Comparator<ContainerRef> ORDER = Comparator.comparing(ContainerRef::namespace)
      .thenComparing(ContainerRef::pod)
      .thenComparing(ContainerRef::container);

  public ContainerRef {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(pod, "pod");
    Objects.requireNonNull(container, "container");
  }

  /** {@code namespace/pod}, the key under which pod labels are kept. */
  public String podKey() {
    return podKey(namespace, pod);
  }

  public static String podKey(String namespace, String pod) {
    return namespace + '/' + pod;
  }

  @Override
  public int compareTo(ContainerRef other) {
    return ORDER.compare(this, other);
  }

  /** The smaller of two, treating null as absent. */
  static ContainerRef first(ContainerRef a, ContainerRef b) {
    if (a == null) {
      return b;
    }
    return b == null || a.compareTo(b) <= 0 ? a : b;
  }
}
