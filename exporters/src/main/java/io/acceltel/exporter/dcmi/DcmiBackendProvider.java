package io.acceltel.exporter.dcmi;

import io.acceltel.exporter.device.BackendContext;
import io.acceltel.exporter.device.BackendUnavailableException;
import io.acceltel.exporter.device.DeviceBackend;
import io.acceltel.exporter.device.DeviceBackendProvider;

/**
 * The Huawei Ascend backend, selected with {@code --devices=dcmi}: reads NPUs through {@code libdcmi.so} (DCMI)
 * with JNA.
 *
 * <pre>{@code
 * DeviceBackend dcmi = DeviceBackends.discover().byName("dcmi").orElseThrow().open(context);
 * }</pre>
 */
public final class DcmiBackendProvider implements DeviceBackendProvider {
  @Override
  public String name() {
    return DcmiBackend.NAME;
  }

  @Override
  public DeviceBackend open(BackendContext context) throws BackendUnavailableException {
    return DcmiBackend.open(context);
  }
}
