package io.acceltel.model.snapshot;

import java.util.Objects;

/**
 * What identifies one accelerator on a node: its index, its stable UUID (the join key for attribution), its model
 * name and its vendor.
 *
 * @param index position on the node as the backend enumerates it; not stable across reboots, so never a join key
 * @param uuid {@code GPU-…} for NVIDIA, the die id for Ascend
 */
public record DeviceIdentity(int index, String uuid, String model, Vendor vendor) {
  public DeviceIdentity {
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(vendor, "vendor");
  }
}
