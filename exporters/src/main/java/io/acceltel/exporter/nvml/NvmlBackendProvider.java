package io.acceltel.exporter.nvml;

import io.acceltel.exporter.device.BackendContext;
import io.acceltel.exporter.device.BackendUnavailableException;
import io.acceltel.exporter.device.DeviceBackend;
import io.acceltel.exporter.device.DeviceBackendProvider;

/**
 * The NVIDIA backend, selected with {@code --devices=nvml}: reads GPUs through libnvidia-ml (NVML) with JNA.
 *
 * <pre>{@code
 * DeviceBackend nvml = DeviceBackends.discover().byName("nvml").orElseThrow().open(context);
 * }</pre>
 */
public final class NvmlBackendProvider implements DeviceBackendProvider {
  @Override
  public String name() {
    return NvmlBackend.NAME;
  }

  @Override
  public DeviceBackend open(BackendContext context) throws BackendUnavailableException {
    return NvmlBackend.open(context, System::nanoTime);
  }
}
