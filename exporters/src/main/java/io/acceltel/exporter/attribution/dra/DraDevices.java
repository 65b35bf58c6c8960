package io.acceltel.exporter.attribution.dra;

import io.acceltel.exporter.attribution.DeviceId;
import io.fabric8.kubernetes.api.model.resource.v1.Device;
import io.fabric8.kubernetes.api.model.resource.v1.DeviceAttribute;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceSlice;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceSliceSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The devices DRA drivers publish for one node, as their ResourceSlices name them (driver, pool, device name),
 * joined to what the device backend reports: the {@code uuid} attribute, a GPU or MIG UUID for NVIDIA's
 * {@code gpu.nvidia.com}. Immutable; the watcher swaps it whole.
 *
 * <pre>{@code
 * DraDevices devices = DraDevices.of(slices, "gpu-node-17");
 * devices.resolve("gpu.nvidia.com", "gpu-node-17", "gpu-3");   // Uuid[GPU-8d30c9b5-…]
 * }</pre>
 *
 * <p>A pool may be half-way through an update, its slices of two generations: the newest generation counts, as for
 * the scheduler; while it has fewer slices than it announces ({@code resourceSliceCount}), a device it does not name
 * yet keeps the join an older generation gave it. A device without a {@code uuid} attribute, or whose value names
 * no GPU, MIG instance or NPU, cannot be joined and is left out.
 */
public final class DraDevices {
  /** Before the watch has listed the node's slices: a claim that does not resolve may yet. */
  public static final DraDevices UNKNOWN = new DraDevices(Map.of(), false);
  /** The API server serves no ResourceSlices (no DRA): nothing to resolve, ever. */
  public static final DraDevices NOT_SERVED = new DraDevices(Map.of(), true);
  /** The attribute NVIDIA's DRA driver publishes a GPU's or MIG instance's UUID under. */
  static final String UUID_ATTRIBUTE = "uuid";

  private final Map<Key, DeviceId> byDevice;
  private final boolean known;

  private record Key(String driver, String pool, String device) {}

  private DraDevices(Map<Key, DeviceId> byDevice, boolean known) {
    this.byDevice = Map.copyOf(byDevice);
    this.known = known;
  }

  /** The devices of the slices that belong to {@code node}; other nodes' slices are passed over. */
  public static DraDevices of(Collection<ResourceSlice> slices, String node) {
    Map<String, List<ResourceSliceSpec>> byPool = new HashMap<>();
    for (ResourceSlice slice : slices) {
      ResourceSliceSpec spec = slice.getSpec();
      if (onNode(spec, node)) {
        byPool.computeIfAbsent(poolKey(spec), k -> new ArrayList<>()).add(spec);
      }
    }
    Map<Key, DeviceId> byDevice = new HashMap<>();
    for (List<ResourceSliceSpec> pool : byPool.values()) {
      pool.sort(Comparator.comparingLong(DraDevices::generation).reversed());
      long newest = generation(pool.get(0));
      boolean complete = pool.stream().filter(spec -> generation(spec) == newest).count()
          >= Optional.ofNullable(pool.get(0).getPool().getResourceSliceCount()).orElse(1L);
      for (ResourceSliceSpec spec : pool) {
        // While the driver is still publishing a new generation, a device not in it yet keeps its older join.
        if (generation(spec) == newest || !complete) {
          addDevices(spec, byDevice);
        }
      }
    }
    return new DraDevices(byDevice, true);
  }

  /** Adds the slice's joinable devices, unless a newer slice of the pool already named them. */
  private static void addDevices(ResourceSliceSpec spec, Map<Key, DeviceId> byDevice) {
    for (Device device : spec.getDevices() == null ? List.<Device>of() : spec.getDevices()) {
      DeviceId id = deviceId(spec.getDriver(), device);
      if (id != null && device.getName() != null) {
        byDevice.putIfAbsent(new Key(spec.getDriver(), spec.getPool().getName(), device.getName()), id);
      }
    }
  }

  private static boolean onNode(ResourceSliceSpec spec, String node) {
    return spec != null && node.equals(spec.getNodeName()) && spec.getDriver() != null && spec.getPool() != null
        && spec.getPool().getName() != null;
  }

  private static String poolKey(ResourceSliceSpec spec) {
    return spec.getDriver() + '/' + spec.getPool().getName();
  }

  private static long generation(ResourceSliceSpec spec) {
    Long generation = spec.getPool().getGeneration();
    return generation == null ? 0 : generation;
  }

  /** The device's UUID, under its plain name or qualified by the driver's domain (both name the same attribute). */
  private static DeviceId deviceId(String driver, Device device) {
    Map<String, DeviceAttribute> attributes = device.getAttributes();
    if (attributes == null) {
      return null;
    }
    DeviceAttribute uuid = attributes.get(UUID_ATTRIBUTE);
    if (uuid == null) {
      uuid = attributes.get(driver + '/' + UUID_ATTRIBUTE);
    }
    if (uuid == null || uuid.getString() == null) {
      return null;
    }
    DeviceId id = DeviceId.parse(driver, uuid.getString());
    return id != null && DeviceId.namesAnAccelerator(id) ? id : null;
  }

  /** The device a claim's result names, or null when no slice of this node publishes it with a usable UUID. */
  public DeviceId resolve(String driver, String pool, String device) {
    return byDevice.get(new Key(driver, pool, device));
  }

  /** Every device published with a usable UUID: all of them are allocatable through DRA. */
  public Collection<DeviceId> all() {
    return byDevice.values();
  }

  /** False until the watch has listed the node's slices once (or found that none are served). */
  public boolean known() {
    return known;
  }

  public int size() {
    return byDevice.size();
  }
}
