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
  /** NVIDIA full GPUs and MIG instances, and every Ascend NPU resource (Ascend910, Ascend310P, vNPU templates). */
  public static final List<String> DEFAULT = List.of("nvidia.com/gpu", "nvidia.com/mig-*", "huawei.com/Ascend*");

  public ResourceNames {
    patterns = List.copyOf(patterns);
  }

  public static ResourceNames of(List<String> patterns) {
    return new ResourceNames(patterns);
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
