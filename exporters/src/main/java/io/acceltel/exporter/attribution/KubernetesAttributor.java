package io.acceltel.exporter.attribution;

import io.acceltel.exporter.attribution.pods.PodLabelIndex;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.snapshot.Attribution;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.Reading;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.logging.Logger;

/**
 * Joins the two in-memory views, which device each container holds (kubelet) and which labels each pod carries
 * (API server), into every device's tick: {@code namespace}, {@code pod}, {@code container} and the mapped pod labels
 * ({@code tenant_id}, {@code user_id}, {@code job_name}, …), plus {@code accelerator_allocated} 0 or 1 and
 * {@code accelerator_holders}, how many running containers share the device.
 *
 * <pre>{@code
 * KubernetesAttributor attributor = new KubernetesAttributor(kubelet::current, pods::current);
 * CollectionLoop.builder(node, backend.devices()).attributor(attributor).build();
 * }</pre>
 *
 * <p>Runs on the tick thread and never blocks: both suppliers return the latest immutable snapshot, which background
 * threads replace. The label sets are built once per (allocation, pod labels) pair and reused until either changes.
 *
 * <p>The kubelet may name a device's new holder before the pod watch has delivered that pod (a new pod, or the
 * exporter's own start). Attributing it then with namespace, pod and container alone, and with its pod labels a
 * moment later, would split every series of the device in two. So, for at most {@code podLabelWait}, a device that
 * was free stays free; any other is reported as before the kubelet answered (no pod labels), never with the labels
 * of the pod that held it before, which may be another tenant's. After the wait it is attributed with what is known,
 * and a warning names the pod.
 */
public final class KubernetesAttributor implements DeviceAttributor {
  public static final String NAMESPACE = "namespace";
  public static final String POD = "pod";
  public static final String CONTAINER = "container";
  private static final Logger LOG = Logger.getLogger(KubernetesAttributor.class.getName());
  private static final Reading ALLOCATED = new Reading(MetricCatalog.ALLOCATED, List.of(), 1);
  private static final Reading FREE = new Reading(MetricCatalog.ALLOCATED, List.of(), 0);
  /** {@code accelerator_holders} for 0 to 15 holders: a shared GPU has a handful, so no reading per tick. */
  private static final Reading[] HOLDERS = IntStream.range(0, 16)
      .mapToObj(n -> new Reading(MetricCatalog.HOLDERS, List.of(), n)).toArray(Reading[]::new);

  /** How long a device waits for its new holder's pod labels by default: several kubelet refreshes. */
  public static final Duration POD_LABEL_WAIT = Duration.ofSeconds(10);

  private final Supplier<AllocationMap> allocations;
  private final Supplier<PodLabelIndex> pods;
  private final long podLabelWaitNanos;
  private final LongSupplier nanoTime;
  /** Only the tick thread reads and writes it, so a plain field; a stale read would only rebuild the cache. */
  private Resolved resolved = new Resolved(null, null, Map.of());
  private final Set<String> warnedNotAllocatable = new HashSet<>();
  private final Set<String> warnedDraDrivers = new HashSet<>();
  private final Set<String> warnedIgnoredResources = new HashSet<>();
  /** What each device (by UUID) was attributed on its last tick. Tick thread only. */
  private final Map<String, Verdict> lastVerdict = new HashMap<>();
  /** Holders whose pod the watch had not delivered when first seen, and since when. Tick thread only. */
  private final Map<ContainerRef, Long> awaitingLabelsSince = new HashMap<>();
  private final Set<ContainerRef> warnedNoLabels = new HashSet<>();
  /** The kubelet's answer the two sets above were last pruned for. Tick thread only. */
  private AllocationMap prunedFor;

  /** @param holder whom the GPU-wide series name; null when free */
  private record Verdict(ContainerRef holder, Reading state, Reading holders, Attribution attribution,
      Map<String, Attribution> instances) {}

  private static Reading holders(int count) {
    return count < HOLDERS.length ? HOLDERS[count] : new Reading(MetricCatalog.HOLDERS, List.of(), count);
  }

  /** Without pod labels to wait for: holders are attributed with namespace, pod and container at once. */
  public KubernetesAttributor(Supplier<AllocationMap> allocations, Supplier<PodLabelIndex> pods) {
    this(allocations, pods, Duration.ZERO, System::nanoTime);
  }

  /**
   * @param podLabelWait how long a device keeps its previous attribution while its new holder's pod labels have not
   *     arrived (zero when no pod labels are mapped)
   */
  public KubernetesAttributor(Supplier<AllocationMap> allocations, Supplier<PodLabelIndex> pods,
      Duration podLabelWait, LongSupplier nanoTime) {
    this.allocations = Objects.requireNonNull(allocations, "allocations");
    this.pods = Objects.requireNonNull(pods, "pods");
    this.podLabelWaitNanos = podLabelWait.toNanos();
    this.nanoTime = nanoTime;
  }

  @Override
  public DeviceSnapshot attribute(DeviceSnapshot device) {
    return attribute(device, allocations.get(), pods.get());
  }

  /** One kubelet answer and one state of the pod watch for every device of the tick. */
  @Override
  public List<DeviceSnapshot> attributeTick(List<DeviceSnapshot> devices) {
    AllocationMap map = allocations.get();
    PodLabelIndex index = pods.get();
    List<DeviceSnapshot> out = new ArrayList<>(devices.size());
    for (DeviceSnapshot device : devices) {
      out.add(attribute(device, map, index));
    }
    return out;
  }

  private DeviceSnapshot attribute(DeviceSnapshot device, AllocationMap map, PodLabelIndex index) {
    if (!map.known()) {
      // The kubelet has not answered yet: say nothing rather than "free".
      return device;
    }
    if (map != prunedFor) {
      // Holders that left before their pod arrived: forgotten, so a pod re-created under the name waits afresh.
      awaitingLabelsSince.keySet().retainAll(map.holders());
      warnedNoLabels.retainAll(map.holders());
      prunedFor = map;
    }
    Predicate<ContainerRef> finished = ref -> index.finished(ref.namespace(), ref.pod());
    ContainerRef holder = map.holder(device, finished);
    Verdict last = lastVerdict.get(device.identity().uuid());
    boolean silent = device.lost() || device.unread();
    if (holder == null && silent && last != null && stillHoldsAnInstance(map, last, finished)) {
      // A lost or late MIG GPU reports no MIG instances, the only way to its holders: its device-lost, XID and
      // health series keep the holder it had while that pod still holds one of its instances, which is whom an
      // alert on them concerns, rather than turn "free" and unlabelled. Once the pod is gone, the GPU is free.
      return withAllocation(device, last);
    }
    Verdict verdict;
    if (holder == null) {
      if (!silent) {
        warnIfNotAllocatable(map, device); // a device that did not answer may be left out of the allocatable list
      }
      verdict = new Verdict(null, FREE, HOLDERS[0], Attribution.NONE, Map.of());
    } else if (awaitingLabels(index, holder)) {
      if (last == null || last.state() != FREE) {
        // The GPU-wide series say nothing, as before the kubelet answered: the previous holder's labels are not the
        // new one's. The MIG instances whose holders are known keep their labels meanwhile.
        Map<String, Attribution> instances = instanceAttributions(map, index, device, finished);
        return instances.isEmpty() || device.unread() ? device
            : device.withReadings(device.readings(), Attribution.NONE, instances);
      }
      verdict = last;
    } else {
      verdict = new Verdict(holder, ALLOCATED, holders(map.holderCount(device, finished)),
          attributionOf(map, index, holder), instanceAttributions(map, index, device, finished));
    }
    if (!device.unread()) {
      lastVerdict.put(device.identity().uuid(), verdict);
    }
    return withAllocation(device, verdict);
  }

  /** Whether the GPU-wide holder of the last verdict still holds one of the MIG instances it was attributed from. */
  private static boolean stillHoldsAnInstance(AllocationMap map, Verdict last, Predicate<ContainerRef> finished) {
    if (last.holder() == null) {
      return false;
    }
    for (String migUuid : last.instances().keySet()) {
      if (last.holder().equals(map.instanceHolder(migUuid, finished))) {
        return true;
      }
    }
    return false;
  }

  /** Whether the holder's pod labels have not arrived yet and are still worth waiting for. */
  private boolean awaitingLabels(PodLabelIndex index, ContainerRef holder) {
    if (podLabelWaitNanos == 0 || index.known(holder.namespace(), holder.pod())) {
      awaitingLabelsSince.remove(holder);
      return false;
    }
    long now = nanoTime.getAsLong();
    long since = awaitingLabelsSince.computeIfAbsent(holder, h -> now);
    if (now - since < podLabelWaitNanos) {
      return true;
    }
    if (warnedNoLabels.add(holder)) {
      LOG.warning(() -> "pod " + holder.namespace() + "/" + holder.pod() + " holds a device, but the pod watch has "
          + "not delivered it after " + Duration.ofNanos(podLabelWaitNanos).toSeconds() + " s; attributing with "
          + "namespace, pod and container only until it does");
    }
    return false;
  }

  /**
   * Each MIG instance's own holder, so that an instance's series name the pod that uses it (and its tenant), not
   * the GPU's smallest holder; a free instance names nobody. Empty unless some MIG instance is held.
   */
  private Map<String, Attribution> instanceAttributions(AllocationMap map, PodLabelIndex index, DeviceSnapshot device,
      Predicate<ContainerRef> finished) {
    if (!map.hasMigAllocations()) {
      return Map.of();
    }
    Map<String, Attribution> byInstance = null;
    for (Reading r : device.readings()) {
      if (r.metric() == MetricCatalog.MIG_INFO) {
        String migUuid = AllocationMap.migUuid(r);
        ContainerRef holder = map.instanceHolder(migUuid, finished);
        if (byInstance == null) {
          byInstance = new HashMap<>();
        }
        // Nobody's labels while the holder's are awaited: not the previous holder's, which may be another tenant.
        boolean named = holder != null && !awaitingLabels(index, holder);
        byInstance.put(migUuid, named ? attributionOf(map, index, holder) : Attribution.NONE);
      }
    }
    return byInstance == null ? Map.of() : byInstance;
  }

  private Attribution attributionOf(AllocationMap map, PodLabelIndex index, ContainerRef holder) {
    Resolved r = resolved;
    if (r.map != map || r.pods != index) {
      r = new Resolved(map, index, new HashMap<>());
      resolved = r;
    }
    Attribution a = r.byHolder.get(holder);
    if (a == null) {
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put(NAMESPACE, holder.namespace());
      labels.put(POD, holder.pod());
      labels.put(CONTAINER, holder.container());
      index.labels(holder.namespace(), holder.pod()).forEach(labels::putIfAbsent);
      a = Attribution.of(labels);
      r.byHolder.put(holder, a);
    }
    return a;
  }

  private static DeviceSnapshot withAllocation(DeviceSnapshot device, Verdict verdict) {
    if (device.unread()) {
      return device.withAttribution(verdict.attribution()); // nothing read this tick: no reading of its own either
    }
    List<Reading> readings = new ArrayList<>(device.readings().size() + 2);
    readings.addAll(device.readings());
    readings.add(verdict.state());
    readings.add(verdict.holders());
    return device.withReadings(readings, verdict.attribution(), verdict.instances());
  }

  private void warnIfNotAllocatable(AllocationMap map, DeviceSnapshot device) {
    for (String driver : map.draDrivers()) {
      if (warnedDraDrivers.add(driver)) {
        LOG.warning(() -> "pods on this node hold devices through DRA claims of the driver " + driver + " that no "
            + "ResourceSlice of this node joins to a GPU, MIG instance or NPU (the driver publishes no uuid "
            + "attribute, the devices are not accelerators, or resource.k8s.io/v1 is not served: see the log at "
            + "start); if they are accelerators, they show as free with no pod labels");
      }
    }
    for (String ignored : map.ignoredResourceNames()) {
      if (warnedIgnoredResources.add(ignored)) {
        LOG.warning(() -> "the kubelet lists devices of the resource " + ignored + ", which "
            + "attribution.resource-names leaves out; add it if pods hold accelerators through it, or their "
            + "devices show as free with no pod labels");
      }
    }
    // Only once some device matched a configured name: a kubelet that lists none yet (its device plugin still
    // registering) would otherwise make every GPU warn at every start. A renamed resource is named above.
    if (map.hasAllocatable() && !map.allocatable(device) && warnedNotAllocatable.add(device.identity().uuid())) {
      LOG.warning(() -> "device " + device.identity().index() + " (" + device.identity().uuid() + ") is not among "
          + "the kubelet's allocatable devices for the configured resource names; if pods use it, add its "
          + "resource name to attribution.resource-names");
    }
  }

  private record Resolved(AllocationMap map, PodLabelIndex pods, Map<ContainerRef, Attribution> byHolder) {}
}
