package io.acceltel.model.snapshot;

import java.util.Objects;

/**
 * What identifies one accelerator on a node: its index, its stable UUID (the join key for attribution), its model
 * name and its vendor.
 *
 * @param index position on the node as the backend enumerates it; not stable across reboots, so never a join key
 * @param uuid {@code GPU-…} for NVIDIA, the die id for Ascend
 * @param minor NVIDIA's device minor number ({@code /dev/nvidia<minor>}), which GKE's device plugin uses as the
 *     device id; {@link #NO_MINOR} where there is none
 */
public record DeviceIdentity(int index, String uuid, String model, Vendor vendor, int minor) {
  public static final int NO_MINOR = -1;

  public DeviceIdentity {
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(vendor, "vendor");
  }

  /** A device without a minor number. */
  public DeviceIdentity(int index, String uuid, String model, Vendor vendor) {
    this(index, uuid, model, vendor, NO_MINOR);
  }
}
