package io.acceltel.exporter.device;

/**
 * Service-provider interface for device backends, found through {@link java.util.ServiceLoader}: a new backend is
 * a new provider listed in {@code META-INF/services/io.acceltel.exporter.device.DeviceBackendProvider}, never an
 * edited switch statement.
 */
public interface DeviceBackendProvider {
  /** The name {@code --devices} selects this backend by. */
  String name();

  /**
   * Opens the backend and enumerates its devices.
   *
   * @throws BackendUnavailableException when the native library or driver is missing or refuses; its message is
   *     one sentence for the operator, saying what is wrong and how to fix it
   */
  DeviceBackend open(BackendContext context) throws BackendUnavailableException;
}
