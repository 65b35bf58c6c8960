package io.acceltel.exporter.attribution;

import io.acceltel.exporter.attribution.pods.PodLabelIndex;
import io.acceltel.exporter.attribution.pods.PodLabelMapper;
import io.acceltel.exporter.device.DeviceReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Attribution for simulated devices (demo and tests): two Volcano TrainingJobs of two tenants hold most devices,
 * two workers each with two devices per pod, and the last devices stay free, so {@code /metrics} shows what a real
 * node shows. The pod labels go through the same {@link PodLabelMapper} and {@link KubernetesAttributor} as the
 * real path, so the label names are the configured ones.
 *
 * <pre>{@code
 * DeviceAttributor attributor = SimulatedAttribution.of(backend.devices(), settings);
 * }</pre>
 */
public final class SimulatedAttribution {
  static final String CONTAINER = "pytorch";

  private SimulatedAttribution() {}

  /** A job, its namespace and the Kubernetes labels Volcano puts on its pods. */
  private record Job(String namespace, String name, Map<String, String> podLabels) {}

  private static final List<Job> JOBS = List.of(
      job("team-llm", "tj-a15787703687180288704327", "12027394361880000", "bx57d89f0a785e427d88a6a2d8573d86a4",
          "a14078179380686848491473"),
      job("team-vision", "tj-b20413958821734912001178", "12031188472540000", "c41e07d2b96a4f3e8d1c5a7b90e2f6d813",
          "a14078179380686848491473"));

  private static Job job(String namespace, String name, String tenant, String user, String pool) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("tenant.id", tenant);
    labels.put("user.id", user);
    labels.put("job-type.system.hero.ai", "TrainingJob");
    labels.put("resourcepool.system.hero.ai", pool);
    labels.put("volcano.sh/job-name", name);
    labels.put("volcano.sh/queue-name", "default");
    labels.put("volcano.sh/task-spec", "worker");
    return new Job(namespace, name, labels);
  }

  /**
   * Devices are given out two per pod, in index order; with four or more devices the last two stay free (one with
   * two or three devices), so the demo also shows unallocated devices.
   */
  public static KubernetesAttributor of(List<DeviceReader> devices, AttributionSettings settings) {
    int n = devices.size();
    int free = n >= 4 ? 2 : n >= 2 ? 1 : 0;
    int allocated = n - free;
    PodLabelMapper mapper = PodLabelMapper.of(settings);
    AllocationMap.Builder map = AllocationMap.builder();
    Map<String, Map<String, String>> pods = new LinkedHashMap<>();
    int perJob = Math.max(1, (allocated + JOBS.size() - 1) / JOBS.size());
    for (int i = 0; i < n; i++) {
      DeviceId id = new DeviceId.Uuid(devices.get(i).identity().uuid());
      map.allocatable(id);
      if (i >= allocated) {
        continue;
      }
      Job job = JOBS.get(Math.min(i / perJob, JOBS.size() - 1));
      int worker = (i % perJob) / 2;
      ContainerRef holder = new ContainerRef(job.namespace(), job.name() + "-worker-" + worker, CONTAINER);
      map.allocate(id, holder);
      Map<String, String> labels = new LinkedHashMap<>(job.podLabels());
      labels.put("volcano.sh/task-index", Integer.toString(worker));
      pods.put(holder.podKey(), mapper.map(labels));
    }
    AllocationMap allocations = map.build();
    PodLabelIndex index = PodLabelIndex.of(pods);
    return new KubernetesAttributor(() -> allocations, () -> index);
  }
}
