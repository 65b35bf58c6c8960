package io.acceltel.exporter.attribution.kubelet;

import io.acceltel.exporter.attribution.AllocationMap;
import io.acceltel.exporter.attribution.ContainerRef;
import io.acceltel.exporter.attribution.DeviceId;
import io.acceltel.exporter.attribution.ResourceNames;
import io.acceltel.exporter.attribution.dra.DraDevices;
import io.acceltel.exporter.attribution.kubelet.v1.AllocatableResourcesResponse;
import io.acceltel.exporter.attribution.kubelet.v1.ClaimResource;
import io.acceltel.exporter.attribution.kubelet.v1.ContainerDevices;
import io.acceltel.exporter.attribution.kubelet.v1.ContainerResources;
import io.acceltel.exporter.attribution.kubelet.v1.DynamicResource;
import io.acceltel.exporter.attribution.kubelet.v1.ListPodResourcesResponse;
import io.acceltel.exporter.attribution.kubelet.v1.PodResources;

/**
 * Reads the kubelet's answers into an {@link AllocationMap}: every device ID of a configured resource name, reduced
 * by {@link DeviceId#parse}, and every device of a DRA claim that the node's ResourceSlices join to a UUID, mapped
 * to the container that holds it.
 *
 * <pre>{@code
 * AllocationMap map = PodResourcesMapping.toMap(client.list(deadline), client.allocatable(deadline), names,
 *     slices.current());
 * }</pre>
 */
public final class PodResourcesMapping {
  private PodResourcesMapping() {}

  /**
   * @param allocatable null when GetAllocatableResources was not called or is not served
   * @param dra the devices the node's ResourceSlices publish: each is allocatable, and joins a claim's result to a
   *     device
   */
  public static AllocationMap toMap(ListPodResourcesResponse list, AllocatableResourcesResponse allocatable,
      ResourceNames names, DraDevices dra) {
    AllocationMap.Builder b = AllocationMap.builder();
    dra.all().forEach(b::allocatable);
    for (PodResources pod : list.getPodResourcesList()) {
      for (ContainerResources container : pod.getContainersList()) {
        ContainerRef holder = new ContainerRef(pod.getNamespace(), pod.getName(), container.getName());
        for (DynamicResource claim : container.getDynamicResourcesList()) {
          for (ClaimResource result : claim.getClaimResourcesList()) {
            DeviceId id = dra.resolve(result.getDriverName(), result.getPoolName(), result.getDeviceName());
            if (id != null) {
              b.allocate(id, holder);
            } else if (dra.known()) {
              b.draClaim(result.getDriverName()); // not a GPU or NPU, or a driver that publishes no UUID
            }
          }
        }
        for (ContainerDevices devices : container.getDevicesList()) {
          if (names.matches(devices.getResourceName())) {
            for (String id : devices.getDeviceIdsList()) {
              b.allocate(DeviceId.parse(devices.getResourceName(), id), holder);
            }
          } else if (acceleratorLeftOut(devices)) {
            b.ignoredResource(devices.getResourceName());
          }
        }
      }
    }
    if (allocatable != null) {
      for (ContainerDevices devices : allocatable.getDevicesList()) {
        if (names.matches(devices.getResourceName())) {
          for (String id : devices.getDeviceIdsList()) {
            b.allocatable(DeviceId.parse(devices.getResourceName(), id));
          }
        } else if (acceleratorLeftOut(devices)) {
          b.ignoredResource(devices.getResourceName());
        }
      }
    }
    return b.build();
  }

  /** Whether some container holds a device through a DRA claim. */
  public static boolean hasDraClaims(ListPodResourcesResponse list) {
    return list.getPodResourcesList().stream().flatMap(pod -> pod.getContainersList().stream())
        .anyMatch(container -> container.getDynamicResourcesCount() > 0);
  }

  /**
   * Devices of a resource the configuration leaves out whose ids name GPUs or NPUs: a renamed GPU resource, say.
   * The vendor alone is not enough; the NVIDIA Network Operator's nvidia.com/rdma_shared_device_a is a NIC.
   */
  private static boolean acceleratorLeftOut(ContainerDevices devices) {
    return ResourceNames.isAccelerator(devices.getResourceName()) && devices.getDeviceIdsList().stream()
        .map(id -> DeviceId.parse(devices.getResourceName(), id)).anyMatch(DeviceId::namesAnAccelerator);
  }
}
