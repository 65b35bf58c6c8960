package io.acceltel.exporter.simulated;

import io.acceltel.exporter.device.BackendContext;
import io.acceltel.exporter.device.BackendUnavailableException;
import io.acceltel.exporter.device.DeviceBackend;
import io.acceltel.exporter.device.DeviceBackendProvider;

/**
 * Provides the {@code simulated} backend: {@link SimulatedBackend} with the context's
 * {@link BackendContext.SimulatedSettings}. Found through ServiceLoader.
 *
 * <pre>{@code
 * DeviceBackend backend = DeviceBackends.discover().byName("simulated").orElseThrow().open(context);
 * log.info(backend.description()); // "SIMULATED devices (demo/test feature): 8 x NVIDIA H100 80GB HBM3, ..."
 * }</pre>
 */
public final class SimulatedBackendProvider implements DeviceBackendProvider {
  public static final String NAME = "simulated";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public DeviceBackend open(BackendContext context) throws BackendUnavailableException {
    try {
      return new SimulatedBackend(context.simulated());
    } catch (IllegalArgumentException e) {
      throw new BackendUnavailableException(e.getMessage(), e);
    }
  }
}
