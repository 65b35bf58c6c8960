package io.acceltel.exporter.attribution;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A device ID as the kubelet reports it, reduced to what joins with a device backend's identity: a UUID for NVIDIA
 * (a full GPU or a MIG instance), or a physical NPU ID for Huawei Ascend.
 *
 * <pre>{@code
 * DeviceId.parse("nvidia.com/gpu", "GPU-8d30c9b5-1e2f::3");   // Uuid["GPU-8d30c9b5-1e2f"]: time-slicing replica 3
 * DeviceId.parse("nvidia.com/mig-1g.10gb", "MIG-4f1c...");    // Uuid["MIG-4f1c..."]
 * DeviceId.parse("huawei.com/Ascend910", "Ascend910-3");      // AscendPhysical[3]
 * DeviceId.parse("huawei.com/Ascend910", "Ascend910-2c-100-3"); // AscendPhysical[3]: a vNPU on physical NPU 3
 * DeviceId.parse("nvidia.com/gpu", "nvidia2/vgpu1");           // NvidiaMinor[2]: GKE's plugin, a shared GPU
 * }</pre>
 */
public sealed interface DeviceId {
  /** An NVIDIA UUID: {@code GPU-…} for a full GPU, {@code MIG-…} for a MIG instance. */
  record Uuid(String value) implements DeviceId {}

  /** A Huawei Ascend NPU by physical ID, the number the DCMI backend reports as the device index. */
  record AscendPhysical(int id) implements DeviceId {}

  /**
   * An NVIDIA GPU by minor number ({@code /dev/nvidia<minor>}), as GKE's device plugin names it: {@code nvidia0},
   * a time-shared {@code nvidia0/vgpu3}, a MIG partition {@code nvidia0/gi1} (joined to its GPU: the partition's
   * own identity is not in the id).
   */
  record NvidiaMinor(int minor) implements DeviceId {}

  /** GKE's device plugin: {@code nvidia<minor>}, then optional {@code /…} parts. */
  Pattern GKE = Pattern.compile("nvidia(\\d{1,6})(?:/.*)?");

  /** Whether the ID names a GPU, a MIG instance or an NPU (not, say, a NIC that a vendor's plugin also offers). */
  static boolean namesAnAccelerator(DeviceId id) {
    return id instanceof AscendPhysical || id instanceof NvidiaMinor
        || id instanceof Uuid u && (u.value().startsWith("GPU-") || u.value().startsWith("MIG-"));
  }

  /** Old drivers (before R470) name MIG devices {@code MIG-GPU-<parent uuid>/<gi>/<ci>}. */
  Pattern OLD_MIG = Pattern.compile("MIG-(GPU-[^/]+)/\\d+/\\d+");
  /**
   * Ascend device-plugin IDs name the physical NPU: {@code Ascend910-3}; a vNPU {@code Ascend910-2c-100-3} ends in
   * it (after its template and vNPU id); the 310P share mode {@code Ascend310P-3-99} puts it first, then a replica
   * index. Group 1 is the physical ID in each form.
   */
  Pattern ASCEND_VNPU = Pattern.compile("Ascend[A-Za-z0-9]*-\\d+c[^-]*-(?:.*-)?(\\d+)");
  Pattern ASCEND_SHARED = Pattern.compile("Ascend[A-Za-z0-9]*-(\\d+)-\\d+");
  Pattern ASCEND = Pattern.compile("Ascend[A-Za-z0-9]*-(\\d+)");
  /** Tried in this order: the vNPU and share-mode forms also match a looser reading. */
  List<Pattern> ASCEND_FORMS = List.of(ASCEND_VNPU, ASCEND_SHARED, ASCEND);

  /**
   * Reduces one device ID; returns null for a form this exporter cannot join (it is then ignored).
   *
   * @param resourceName the extended resource the ID was allocated under, e.g. {@code huawei.com/Ascend910}
   */
  static DeviceId parse(String resourceName, String id) {
    if (id == null || id.isEmpty()) {
      return null;
    }
    // The NVIDIA device plugin's time-slicing (and MPS) replicas are "<id>::<replica>": the device is the id.
    int replica = id.indexOf("::");
    String base = replica >= 0 ? id.substring(0, replica) : id;
    if (resourceName.startsWith("huawei.com/") || base.startsWith("Ascend")) {
      for (Pattern form : ASCEND_FORMS) {
        Matcher ascend = form.matcher(base);
        if (ascend.matches()) {
          try {
            return new AscendPhysical(Integer.parseInt(ascend.group(1)));
          } catch (NumberFormatException e) {
            return null;
          }
        }
      }
      return null;
    }
    Matcher gke = GKE.matcher(base);
    if (gke.matches()) {
      return new NvidiaMinor(Integer.parseInt(gke.group(1)));
    }
    Matcher oldMig = OLD_MIG.matcher(base);
    if (oldMig.matches()) {
      // The old form names the parent GPU, not the instance: attribute the parent.
      return new Uuid(oldMig.group(1));
    }
    return base.isEmpty() ? null : new Uuid(base);
  }
}
