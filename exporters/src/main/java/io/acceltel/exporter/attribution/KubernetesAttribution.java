package io.acceltel.exporter.attribution;

import io.acceltel.exporter.attribution.dra.DraDevices;
import io.acceltel.exporter.attribution.dra.ResourceSliceWatcher;
import io.acceltel.exporter.attribution.kubelet.KubeletAllocations;
import io.acceltel.exporter.attribution.kubelet.PodResourcesClient;
import io.acceltel.exporter.attribution.pods.PodLabelMapper;
import io.acceltel.exporter.attribution.pods.PodWatcher;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Attribution on a real node, wired: the kubelet poller, the pod watch, the ResourceSlice watch that joins DRA claims
 * to devices, and the {@link KubernetesAttributor} that joins them on the tick thread. The pod watch runs even when
 * no pod labels are mapped: the kubelet goes on listing a finished pod's devices, and only the pod's phase tells the
 * exporter not to name it on a GPU that a new pod holds (a Job's completed pod, kept for its logs, would otherwise
 * hold its GPU's labels for good).
 *
 * <pre>{@code
 * try (KubernetesAttribution attribution = KubernetesAttribution.start(settings, node,
 *     () -> new KubernetesClientBuilder().build(), new AttributionSelfMetrics(registry), System.out::println)) {
 *   loopBuilder.attributor(attribution.attributor());
 * }
 * }</pre>
 */
public final class KubernetesAttribution implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(KubernetesAttribution.class.getName());
  /**
   * fabric8's informers log every failed list with a stack trace: SEVERE "will stop" for the 404 of an API server
   * without DRA, which is no error here, and a warning at each retry of an outage. The watchers' own handlers count
   * every failure and warn once per outage, with the fix, so fabric8's copies are turned off. Held in a field:
   * java.util.logging keeps loggers only weakly, and a collected one would forget its level.
   */
  private static final Logger INFORMER_REFLECTOR =
      quiet("io.fabric8.kubernetes.client.informers.impl.cache.Reflector");

  private final KubeletAllocations kubelet;
  private final PodWatcher pods;
  private final ResourceSliceWatcher slices;
  private final KubernetesClient client;
  private final KubernetesAttributor attributor;

  private KubernetesAttribution(KubeletAllocations kubelet, PodWatcher pods, ResourceSliceWatcher slices,
      KubernetesClient client, boolean labelsMapped) {
    this.kubelet = kubelet;
    this.pods = pods;
    this.slices = slices;
    this.client = client;
    // Only mapped labels are worth waiting for; without them the watch is there for the pods' phases.
    this.attributor = labelsMapped
        ? new KubernetesAttributor(kubelet::current, pods::current, KubernetesAttributor.POD_LABEL_WAIT,
            System::nanoTime)
        : new KubernetesAttributor(kubelet::current, pods::current);
  }

  /**
   * Starts the three sources (kubelet, pod watch, ResourceSlice watch) in the background and returns at once; none
   * needs to be reachable yet.
   *
   * @param clients makes the API server client (fabric8's auto-configuration: in a pod, the service account)
   */
  public static KubernetesAttribution start(AttributionSettings settings, String node,
      Supplier<KubernetesClient> clients, AttributionSelfMetrics metrics, Consumer<String> announce) {
    PodLabelMapper mapper = PodLabelMapper.of(settings);
    // First, as it can fail for good (netty's native transport on a read-only root): nothing else runs yet.
    PodResourcesClient kubeletClient = new PodResourcesClient(settings.kubeletSocket());
    KubernetesClient client = null;
    PodWatcher pods;
    try {
      client = clients.get();
      pods = PodWatcher.start(client, node, mapper, metrics);
    } catch (RuntimeException | LinkageError e) {
      if (client != null) {
        client.close();
      }
      kubeletClient.close();
      throw e;
    }
    ResourceSliceWatcher slices = startSliceWatch(client, node, metrics);
    KubeletAllocations kubelet = KubeletAllocations.start(kubeletClient, settings.resourceNames(),
        slices == null ? () -> DraDevices.NOT_SERVED : slices::current, settings.refresh(), metrics);
    // Registered once both run: a start that failed must not leave gauges reading a closed source.
    metrics.staleness("kubelet", kubelet::stalenessSeconds);
    metrics.staleness("apiserver", pods::stalenessSeconds);
    announce.accept("attribution: kubelet " + settings.kubeletSocket() + " every " + settings.refresh().toMillis()
        + "ms, resources " + String.join(",", settings.resourceNames().patterns()) + ", pods of node " + node
        + (mapper.isEmpty() ? " (phases only, no pod labels)" : ", pod labels " + mapper.labelNames())
        + (slices == null ? "" : ", DRA claims through the node's ResourceSlices"));
    return new KubernetesAttribution(kubelet, pods, slices, client, !mapper.isEmpty());
  }

  /** The DRA join is one feature of attribution: if its watch cannot start, the rest still runs. Null then. */
  private static ResourceSliceWatcher startSliceWatch(KubernetesClient client, String node,
      AttributionMetrics metrics) {
    try {
      return ResourceSliceWatcher.start(client, node, metrics);
    } catch (RuntimeException | LinkageError e) {
      LOG.log(Level.WARNING, "the ResourceSlice watch could not start; devices held through DRA claims are not "
          + "attributed", e);
      return null;
    }
  }

  private static Logger quiet(String name) {
    Logger logger = Logger.getLogger(name);
    logger.setLevel(Level.OFF);
    return logger;
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
    if (slices != null) {
      slices.close();
    }
    pods.close();
    client.close();
    kubelet.close();
  }
}
