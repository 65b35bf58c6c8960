package io.acceltel.model.catalog;

import java.util.List;

/**
 * The labels every device metric carries, in exposition order. Attribution labels (namespace, pod, tenant, ...) are
 * appended after these by the exporter when a device is allocated.
 */
public final class DeviceLabels {
  public static final String NODE = "node";
  public static final String DEVICE = "device";
  public static final String UUID = "uuid";
  public static final String MODEL = "model";
  public static final String VENDOR = "vendor";

  /** node, device (index on the node), uuid, model, vendor. */
  public static final List<String> NAMES = List.of(NODE, DEVICE, UUID, MODEL, VENDOR);

  private DeviceLabels() {}
}
