package io.acceltel.exporter.attribution;

import io.acceltel.model.catalog.MetricCatalog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The {@code attribution.*} configuration, validated by {@code ExporterConfig}.
 *
 * <pre>{@code
 * AttributionSettings settings = AttributionSettings.DEFAULT
 *     .withKubeletSocket(Path.of("/tmp/k/kubelet.sock"))
 *     .withRefresh(Duration.ofMillis(200));
 * }</pre>
 *
 * @param mode {@code auto} (on in Kubernetes, i.e. when KUBERNETES_SERVICE_HOST is set, and with simulated devices),
 *     {@code true} or {@code false}
 * @param kubeletSocket the kubelet's PodResources socket
 * @param resourceNames which extended resources to attribute
 * @param refresh how often the kubelet is asked (List); never per tick
 * @param podLabels pod label key to metric label name, in exposition order; empty: only namespace, pod and
 *     container (the pod watch still runs, for the pods' phases)
 * @param maxLabels at most this many pod labels per series
 * @param maxValueLength pod label values are cut to this many characters
 */
public record AttributionSettings(String mode, Path kubeletSocket, ResourceNames resourceNames, Duration refresh,
    Map<String, String> podLabels, int maxLabels, int maxValueLength) {
  public static final String AUTO = "auto";
  public static final Path DEFAULT_SOCKET = Path.of("/var/lib/kubelet/pod-resources/kubelet.sock");
  public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(2);
  public static final int DEFAULT_MAX_LABELS = 8;
  public static final int DEFAULT_MAX_VALUE_LENGTH = 64;
  /** The labels a Volcano TrainingJob puts on its pods, as the clusters this platform serves use them. */
  public static final Map<String, String> DEFAULT_POD_LABELS = defaultPodLabels();
  /**
   * Labels the exporter sets itself: the device's, the holder's, and every label a metric of the catalog carries
   * (state, reason, link, xid, mig_uuid, …). A pod label mapped onto one would give a series the same label twice.
   */
  public static final List<String> RESERVED_LABELS = reservedLabels();

  public static final AttributionSettings DEFAULT = new AttributionSettings(AUTO, DEFAULT_SOCKET,
      ResourceNames.of(ResourceNames.DEFAULT), DEFAULT_REFRESH, DEFAULT_POD_LABELS, DEFAULT_MAX_LABELS,
      DEFAULT_MAX_VALUE_LENGTH);

  public AttributionSettings {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(kubeletSocket, "kubeletSocket");
    Objects.requireNonNull(resourceNames, "resourceNames");
    Objects.requireNonNull(refresh, "refresh");
    podLabels = Collections.unmodifiableMap(new LinkedHashMap<>(podLabels));
  }

  private static List<String> reservedLabels() {
    TreeSet<String> names = new TreeSet<>(List.of("node", "device", "uuid", "model", "vendor",
        KubernetesAttributor.NAMESPACE, KubernetesAttributor.POD, KubernetesAttributor.CONTAINER));
    MetricCatalog.all().forEach(metric -> names.addAll(metric.labelNames()));
    return List.copyOf(names);
  }

  private static Map<String, String> defaultPodLabels() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("tenant.id", "tenant_id");
    m.put("user.id", "user_id");
    m.put("volcano.sh/job-name", "job_name");
    m.put("volcano.sh/queue-name", "queue");
    m.put("volcano.sh/task-spec", "task");
    return Collections.unmodifiableMap(m);
  }

  /**
   * Whether attribution runs: {@code true}/{@code false} as configured; {@code auto} is on inside Kubernetes and
   * with simulated devices (whose attribution is simulated too).
   */
  public boolean enabled(boolean inKubernetes, boolean simulatedDevices) {
    return switch (mode) {
      case "true" -> true;
      case "false" -> false;
      default -> inKubernetes || simulatedDevices;
    };
  }

  public AttributionSettings withKubeletSocket(Path socket) {
    return new AttributionSettings(mode, socket, resourceNames, refresh, podLabels, maxLabels, maxValueLength);
  }

  public AttributionSettings withRefresh(Duration d) {
    return new AttributionSettings(mode, kubeletSocket, resourceNames, d, podLabels, maxLabels, maxValueLength);
  }

  public AttributionSettings withPodLabels(Map<String, String> labels, int maxLabels, int maxValueLength) {
    return new AttributionSettings(mode, kubeletSocket, resourceNames, refresh, labels, maxLabels, maxValueLength);
  }
}
