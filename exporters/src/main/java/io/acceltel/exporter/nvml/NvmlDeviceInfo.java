package io.acceltel.exporter.nvml;

import io.acceltel.model.snapshot.DeviceIdentity;
import java.util.List;

/**
 * What is read once about a GPU when the backend opens: its identity and the static strings of DEVICE_INFO. A
 * string the device does not report (serial on consumer boards) is empty.
 */
record NvmlDeviceInfo(DeviceIdentity identity, String serial, String vbiosVersion, String pciBusId) {
  /** DEVICE_INFO label values in the catalog's order: serial, driver_version, vbios_version, pci_bus_id, mig_mode. */
  List<String> labels(String driverVersion, String migMode) {
    return List.of(serial, driverVersion, vbiosVersion, pciBusId, migMode);
  }
}
