package io.acceltel.exporter.device;

import java.util.List;

/**
 * A source of accelerator readings: NVIDIA NVML, Huawei DCMI, or simulated devices. Obtained from a
 * {@link DeviceBackendProvider}, opened once, closed on shutdown.
 *
 * <pre>{@code
 * try (DeviceBackend backend = provider.create(context)) {
 *   for (DeviceReader reader : backend.devices()) { ... }
 * }
 * }</pre>
 */
public interface DeviceBackend extends AutoCloseable {
  /** The backend's name as given to {@code --devices}: {@code nvml}, {@code simulated}, {@code dcmi}. */
  String name();

  /** One line announced on start: what this backend is and what it found, e.g. the driver version. */
  String description();

  /** One reader per device opened so far, in index order. */
  List<DeviceReader> devices();

  /**
   * Devices the driver reports that could not be read at all so far (no handle, no UUID, lost at start): they have
   * no reader and so no series; this count is how an alert sees them.
   */
  default int devicesLeftOut() {
    return 0;
  }

  /**
   * Tries once more to open the devices left out so far and returns the readers of those that open now, each once
   * (later calls do not return them again); {@link #devices()} and {@link #devicesLeftOut()} include the change.
   * May call the driver for a while: never called on the tick's thread.
   */
  default List<DeviceReader> reopenLeftOut() {
    return List.of();
  }

  /** Releases native resources and stops background threads (such as the XID event thread). */
  @Override
  void close();
}
