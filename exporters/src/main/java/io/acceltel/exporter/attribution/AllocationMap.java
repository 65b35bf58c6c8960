package io.acceltel.exporter.attribution;

import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.Reading;
import io.acceltel.model.snapshot.Vendor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which container holds which device, as of one kubelet {@code List}: immutable, swapped whole by the poller and
 * read by the tick thread without locks.
 *
 * <pre>{@code
 * AllocationMap map = AllocationMap.builder()
 *     .allocate(DeviceId.parse("nvidia.com/gpu", "GPU-8d30c9b5"), new ContainerRef("ns", "pod-0", "main"))
 *     .build();
 * map.holder(deviceSnapshot);   // the ContainerRef, or null when the device is free
 * }</pre>
 *
 * <p>A device shared by several containers (time-slicing, MPS, several MIG instances of one GPU) is held by the
 * smallest {@link ContainerRef}, so its labels are stable from tick to tick. Holders whose pod has finished are
 * passed over: the kubelet goes on listing a Succeeded or Failed pod's devices while a new pod holds them.
 */
public final class AllocationMap {
  /** Before the first successful {@code List}: nothing is known, so no device is said to be free either. */
  public static final AllocationMap UNKNOWN =
      new AllocationMap(Map.of(), Map.of(), Set.of(), Set.of(), false, Set.of(), Set.of());

  /** Every holder of a device, smallest first; by UUID, or {@code nvidia<minor>} for GKE's device ids. */
  private final Map<String, List<ContainerRef>> byUuid;
  private final Map<Integer, List<ContainerRef>> byAscendId;
  private final Set<String> allocatableUuids;
  private final Set<Integer> allocatableAscendIds;
  private final boolean known;
  /** Accelerator resources the kubelet listed that attribution.resource-names leaves out. */
  private final Set<String> ignoredResourceNames;
  /** Drivers of DRA claims the kubelet listed that no ResourceSlice joins to a device (see docs/attribution.md). */
  private final Set<String> draDrivers;
  private final boolean hasMig;
  private final Set<ContainerRef> holders;

  private AllocationMap(Map<String, List<ContainerRef>> byUuid, Map<Integer, List<ContainerRef>> byAscendId,
      Set<String> allocatableUuids, Set<Integer> allocatableAscendIds, boolean known,
      Set<String> ignoredResourceNames, Set<String> draDrivers) {
    this.byUuid = frozen(byUuid);
    this.byAscendId = frozen(byAscendId);
    this.allocatableUuids = Set.copyOf(allocatableUuids);
    this.allocatableAscendIds = Set.copyOf(allocatableAscendIds);
    this.known = known;
    this.ignoredResourceNames = Set.copyOf(ignoredResourceNames);
    this.draDrivers = Set.copyOf(draDrivers);
    this.hasMig = byUuid.keySet().stream().anyMatch(k -> k.startsWith("MIG-"));
    Set<ContainerRef> all = new HashSet<>();
    byUuid.values().forEach(all::addAll);
    byAscendId.values().forEach(all::addAll);
    this.holders = Set.copyOf(all);
  }

  private static <K> Map<K, List<ContainerRef>> frozen(Map<K, List<ContainerRef>> holders) {
    Map<K, List<ContainerRef>> copy = new HashMap<>();
    holders.forEach((device, refs) -> copy.put(device, List.copyOf(refs)));
    return Map.copyOf(copy);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Every container that holds some device, finished pods' included. */
  public Set<ContainerRef> holders() {
    return holders;
  }

  /** False until the kubelet has answered once; then every device gets an allocation state. */
  public boolean known() {
    return known;
  }

  /**
   * The container that holds this device, or null. NVIDIA devices match by GPU UUID, or through the MIG UUIDs the
   * backend reports in {@code accelerator_mig_instance_info}; Ascend NPUs match by physical ID (the device index).
   * Allocation-free on the hot path: map lookups, and a scan of the readings only when some MIG instance is held.
   */
  public ContainerRef holder(DeviceSnapshot device) {
    return holder(device, ref -> false);
  }

  /** As {@link #holder(DeviceSnapshot)}, passing over holders whose pod {@code finished}. */
  public ContainerRef holder(DeviceSnapshot device, Predicate<ContainerRef> finished) {
    return walkHolders(device, finished, null);
  }

  /**
   * How many running containers hold this device, through any of the ids {@link #holder} joins on: above 1 the
   * device is shared (time-slicing, MPS, several MIG instances, a DRA claim shared by pods).
   */
  public int holderCount(DeviceSnapshot device, Predicate<ContainerRef> finished) {
    List<ContainerRef> running = new ArrayList<>(2);
    walkHolders(device, finished, running);
    return running.size();
  }

  /**
   * Walks the holder lists the device joins on (Ascend: its physical ID; NVIDIA: its UUID, its minor number, its
   * MIG instances' UUIDs) and returns the smallest running holder; collects every distinct running holder into
   * {@code running} when one is given.
   */
  private ContainerRef walkHolders(DeviceSnapshot device, Predicate<ContainerRef> finished,
      List<ContainerRef> running) {
    if (device.identity().vendor() == Vendor.HUAWEI) {
      return visit(null, byAscendId.get(device.identity().index()), finished, running);
    }
    ContainerRef holder = visit(null, byUuid.get(device.identity().uuid()), finished, running);
    if (device.identity().minor() != DeviceIdentity.NO_MINOR) {
      holder = visit(holder, byUuid.get(minorKey(device.identity().minor())), finished, running);
    }
    if (!hasMig) {
      return holder;
    }
    for (Reading r : device.readings()) {
      if (r.metric() == MetricCatalog.MIG_INFO) {
        holder = visit(holder, byUuid.get(migUuid(r)), finished, running);
      }
    }
    return holder;
  }

  /** The smaller of {@code best} and the first running holder of {@code holders}, collecting the running ones. */
  private static ContainerRef visit(ContainerRef best, List<ContainerRef> holders, Predicate<ContainerRef> finished,
      List<ContainerRef> running) {
    if (holders == null) {
      return best;
    }
    if (running != null) {
      for (ContainerRef holder : holders) {
        if (!finished.test(holder) && !running.contains(holder)) {
          running.add(holder);
        }
      }
    }
    return ContainerRef.first(best, firstRunning(holders, finished));
  }

  /** Where a GKE device id ({@code nvidia<minor>}) is kept among the UUIDs: no UUID has that form. */
  private static String minorKey(int minor) {
    return "nvidia" + minor;
  }

  /** The MIG UUID of an {@code accelerator_mig_instance_info} reading: its first label. */
  static String migUuid(Reading migInfo) {
    return migInfo.labelValues().get(0);
  }

  /** Whether some MIG instance is held: only then do MIG devices need their instances' holders. */
  public boolean hasMigAllocations() {
    return hasMig;
  }

  /** The container that holds one MIG instance (by its MIG UUID), passing over finished pods; null when free. */
  public ContainerRef instanceHolder(String migUuid, Predicate<ContainerRef> finished) {
    return firstRunning(byUuid.get(migUuid), finished);
  }

  private static ContainerRef firstRunning(List<ContainerRef> holders, Predicate<ContainerRef> finished) {
    if (holders == null) {
      return null;
    }
    for (ContainerRef holder : holders) {
      if (!finished.test(holder)) {
        return holder;
      }
    }
    return null; // only finished pods still list it: the device is free
  }

  /**
   * Whether the kubelet offers this device under one of the configured resource names; false suggests a resource
   * name is missing from the configuration (or the device plugin does not manage the device).
   */
  public boolean allocatable(DeviceSnapshot device) {
    if (device.identity().vendor() == Vendor.HUAWEI) {
      return allocatableAscendIds.contains(device.identity().index());
    }
    if (allocatableUuids.contains(device.identity().uuid())
        || allocatableUuids.contains(minorKey(device.identity().minor()))) {
      return true;
    }
    for (Reading r : device.readings()) {
      if (r.metric() == MetricCatalog.MIG_INFO && allocatableUuids.contains(migUuid(r))) {
        return true;
      }
    }
    return false;
  }

  /** Whether GetAllocatableResources answered with any device of the configured resources. */
  public boolean hasAllocatable() {
    return !allocatableUuids.isEmpty() || !allocatableAscendIds.isEmpty();
  }

  /** Accelerator resource names (nvidia.com/…, huawei.com/…) the kubelet listed and the configuration leaves out. */
  public Set<String> ignoredResourceNames() {
    return ignoredResourceNames;
  }

  /** Drivers of the DRA claims the kubelet listed that no ResourceSlice joins to a GPU or NPU; they show as free. */
  public Set<String> draDrivers() {
    return draDrivers;
  }

  /** How many device IDs are held; for logs and tests. */
  public int size() {
    return byUuid.size() + byAscendId.size();
  }

  /**
   * This map with another's allocatable devices too: GetAllocatableResources is polled less often than List, and
   * this map's own are those of the DRA ResourceSlices.
   */
  public AllocationMap withAllocatable(AllocationMap other) {
    Set<String> ignored = new HashSet<>(ignoredResourceNames);
    ignored.addAll(other.ignoredResourceNames);
    Set<String> uuids = new HashSet<>(allocatableUuids);
    uuids.addAll(other.allocatableUuids);
    Set<Integer> ascendIds = new HashSet<>(allocatableAscendIds);
    ascendIds.addAll(other.allocatableAscendIds);
    return new AllocationMap(byUuid, byAscendId, uuids, ascendIds, known, ignored, draDrivers);
  }

  /** Collects allocations; keeps the smallest holder per device. Not thread-safe. */
  public static final class Builder {
    private final Map<String, List<ContainerRef>> byUuid = new HashMap<>();
    private final Map<Integer, List<ContainerRef>> byAscendId = new HashMap<>();
    private final Set<String> allocatableUuids = new HashSet<>();
    private final Set<Integer> allocatableAscendIds = new HashSet<>();
    private final Set<String> ignoredResourceNames = new HashSet<>();
    private final Set<String> draDrivers = new HashSet<>();

    private Builder() {}

    /** A container holds a device through a DRA claim of this driver that no ResourceSlice joins to a device. */
    public Builder draClaim(String driver) {
      draDrivers.add(driver);
      return this;
    }

    /** The kubelet listed devices of an accelerator resource that the configured resource names leave out. */
    public Builder ignoredResource(String resourceName) {
      ignoredResourceNames.add(resourceName);
      return this;
    }

    /** Records that {@code holder} holds {@code id}; a null id (an unknown form) is ignored. */
    public Builder allocate(DeviceId id, ContainerRef holder) {
      if (id instanceof DeviceId.Uuid u) {
        add(byUuid.computeIfAbsent(u.value(), k -> new ArrayList<>()), holder);
      } else if (id instanceof DeviceId.NvidiaMinor m) {
        add(byUuid.computeIfAbsent(minorKey(m.minor()), k -> new ArrayList<>()), holder);
      } else if (id instanceof DeviceId.AscendPhysical a) {
        add(byAscendId.computeIfAbsent(a.id(), k -> new ArrayList<>()), holder);
      }
      return this;
    }

    /** Keeps the holders sorted, smallest first, without duplicates (a device has a handful at most). */
    private static void add(List<ContainerRef> holders, ContainerRef holder) {
      if (!holders.contains(holder)) {
        holders.add(holder);
        holders.sort(null);
      }
    }

    /** Records that the kubelet can allocate {@code id}. */
    public Builder allocatable(DeviceId id) {
      if (id instanceof DeviceId.Uuid u) {
        allocatableUuids.add(u.value());
      } else if (id instanceof DeviceId.NvidiaMinor m) {
        allocatableUuids.add(minorKey(m.minor()));
      } else if (id instanceof DeviceId.AscendPhysical a) {
        allocatableAscendIds.add(a.id());
      }
      return this;
    }

    public AllocationMap build() {
      return new AllocationMap(byUuid, byAscendId, allocatableUuids, allocatableAscendIds, true,
          ignoredResourceNames, draDrivers);
    }
  }
}
