package io.acceltel.exporter.attribution;

import io.acceltel.exporter.attribution.kubelet.KubeletAllocations;
import io.acceltel.exporter.attribution.kubelet.PodResourcesClient;
import io.acceltel.exporter.attribution.pods.PodLabelIndex;
import io.acceltel.exporter.attribution.pods.PodLabelMapper;
import io.acceltel.exporter.attribution.pods.PodWatcher;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Attribution on a real node, wired: the kubelet poller, the pod watch (when pod labels are mapped) and the
 * {@link KubernetesAttributor} that joins them on the tick thread.
 *
 * <pre>{@code
 * try (KubernetesAttribution attribution = KubernetesAttribution.start(settings, node,
 *     () -> new KubernetesClientBuilder().build(), new AttributionSelfMetrics(registry), System.out::println)) {
 *   loopBuilder.attributor(attribution.attributor());
 * }
 * }</pre>
 */
public final class KubernetesAttribution implements AutoCloseable {
  private final KubeletAllocations kubelet;
  private final PodWatcher pods;
  private final KubernetesClient client;
  private final KubernetesAttributor attributor;

  private KubernetesAttribution(KubeletAllocations kubelet, PodWatcher pods, KubernetesClient client) {
    this.kubelet = kubelet;
    this.pods = pods;
    this.client = client;
    this.attributor = pods == null ? new KubernetesAttributor(kubelet::current, () -> PodLabelIndex.EMPTY)
        : new KubernetesAttributor(kubelet::current, pods::current, KubernetesAttributor.POD_LABEL_WAIT,
            System::nanoTime);
  }

  /**
   * Starts both sources in the background and returns at once; neither needs to be reachable yet.
   *
   * @param clients makes the API server client (fabric8's auto-configuration: in a pod, the service account);
   *     not called when no pod labels are mapped
   */
  public static KubernetesAttribution start(AttributionSettings settings, String node,
      Supplier<KubernetesClient> clients, AttributionSelfMetrics metrics, Consumer<String> announce) {
    KubeletAllocations kubelet = KubeletAllocations.start(new PodResourcesClient(settings.kubeletSocket()),
        settings.resourceNames(), settings.refresh(), metrics);
    metrics.staleness("kubelet", kubelet::stalenessSeconds);
    PodLabelMapper mapper = PodLabelMapper.of(settings);
    PodWatcher pods = null;
    KubernetesClient client = null;
    if (!mapper.isEmpty()) {
      client = clients.get();
      pods = PodWatcher.start(client, node, mapper, metrics);
      metrics.staleness("apiserver", pods::stalenessSeconds);
    }
    announce.accept("attribution: kubelet " + settings.kubeletSocket() + " every " + settings.refresh().toMillis()
        + "ms, resources " + String.join(",", settings.resourceNames().patterns())
        + (pods == null ? ", no pod labels" : ", pod labels " + mapper.labelNames() + " of node " + node));
    return new KubernetesAttribution(kubelet, pods, client);
  }

  /** fabric8's default client: in-cluster configuration inside a pod, else the kubeconfig. */
  public static KubernetesClient defaultClient() {
    return new KubernetesClientBuilder().build();
  }

  public DeviceAttributor attributor() {
    return attributor;
  }

  @Override
  public void close() {
    if (pods != null) {
      pods.close();
    }
    if (client != null) {
      client.close();
    }
    kubelet.close();
  }
}
