package io.acceltel.exporter.attribution;

import java.util.List;

/**
 * Which extended resources the exporter attributes: exact names ({@code nvidia.com/gpu}) or prefixes written with a
 * trailing {@code *} ({@code nvidia.com/mig-*}, {@code huawei.com/Ascend*}).
 *
 * <pre>{@code
 * ResourceNames names = ResourceNames.of(List.of("nvidia.com/gpu", "nvidia.com/mig-*"));
 * names.matches("nvidia.com/mig-1g.10gb");   // true
 * names.matches("example.com/fpga");        // false
 * }</pre>
 */
public record ResourceNames(List<String> patterns) {
  /**
   * NVIDIA full GPUs, their shared replicas under the device plugin's renamed resource (time-slicing or MPS with
   * {@code renameByDefault}) and MIG instances; every Ascend NPU resource (Ascend910, Ascend310P, vNPU templates)
   * and the Ascend device plugin's generic {@code huawei.com/npu}.
   */
  public static final List<String> DEFAULT = List.of("nvidia.com/gpu", "nvidia.com/gpu.shared", "nvidia.com/mig-*",
      "huawei.com/Ascend*", "huawei.com/npu");
  /** The vendors whose resources are accelerators: one left out of the configured names is worth a warning. */
  private static final List<String> ACCELERATOR_VENDORS = List.of("nvidia.com/", "huawei.com/");

  public ResourceNames {
    patterns = List.copyOf(patterns);
  }

  public static ResourceNames of(List<String> patterns) {
    return new ResourceNames(patterns);
  }

  /** Whether a resource is an NVIDIA or Huawei device plugin's, configured or not. */
  public static boolean isAccelerator(String resourceName) {
    return ACCELERATOR_VENDORS.stream().anyMatch(resourceName::startsWith);
  }

  public boolean matches(String resourceName) {
    for (String p : patterns) {
      if (p.endsWith("*") ? resourceName.startsWith(p.substring(0, p.length() - 1)) : resourceName.equals(p)) {
        return true;
      }
    }
    return false;
  }
}
