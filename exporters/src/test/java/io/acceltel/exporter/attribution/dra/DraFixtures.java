package io.acceltel.exporter.attribution.dra;

import io.fabric8.kubernetes.api.model.resource.v1.Device;
import io.fabric8.kubernetes.api.model.resource.v1.DeviceAttribute;
import io.fabric8.kubernetes.api.model.resource.v1.DeviceAttributeBuilder;
import io.fabric8.kubernetes.api.model.resource.v1.DeviceBuilder;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceSlice;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceSliceBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** ResourceSlices as a DRA driver publishes them, for the tests of the DRA join. */
public final class DraFixtures {
  public static final String NVIDIA = "gpu.nvidia.com";

  private DraFixtures() {}

  /** A device with its string attributes, given as name, value pairs. */
  public static Device device(String name, String... attributes) {
    Map<String, DeviceAttribute> map = new LinkedHashMap<>();
    for (int i = 0; i < attributes.length; i += 2) {
      map.put(attributes[i], new DeviceAttributeBuilder().withString(attributes[i + 1]).build());
    }
    return new DeviceBuilder().withName(name).withAttributes(map).build();
  }

  /** A slice of the pool named after its node, the only slice of its generation. */
  public static ResourceSlice slice(String name, String node, String driver, long generation, Device... devices) {
    return slice(name, node, driver, generation, 1, devices);
  }

  /** A slice of the pool named after its node, one of {@code slicesInGeneration}. */
  public static ResourceSlice slice(String name, String node, String driver, long generation,
      long slicesInGeneration, Device... devices) {
    return new ResourceSliceBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withDriver(driver).withNodeName(node)
        .withNewPool().withName(node).withGeneration(generation).withResourceSliceCount(slicesInGeneration).endPool()
        .withDevices(devices).endSpec().build();
  }

  /** What NVIDIA's DRA driver publishes for a node whose GPU {@code gpu-0} has this UUID. */
  public static DraDevices gpu0Is(String node, String uuid) {
    return DraDevices.of(List.of(slice(node + "-gpus", node, NVIDIA, 1, device("gpu-0", "uuid", uuid))), node);
  }
}
