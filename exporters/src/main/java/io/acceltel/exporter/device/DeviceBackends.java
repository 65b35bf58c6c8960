package io.acceltel.exporter.device;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/** The device backends on the class path, by name. */
public final class DeviceBackends {
  private final Map<String, DeviceBackendProvider> providers = new LinkedHashMap<>();

  private DeviceBackends() {}

  public static DeviceBackends discover() {
    DeviceBackends backends = new DeviceBackends();
    for (DeviceBackendProvider p : ServiceLoader.load(DeviceBackendProvider.class)) {
      backends.providers.put(p.name(), p);
    }
    return backends;
  }

  public Optional<DeviceBackendProvider> byName(String name) {
    return Optional.ofNullable(providers.get(name));
  }

  public java.util.Set<String> names() {
    return providers.keySet();
  }
}
