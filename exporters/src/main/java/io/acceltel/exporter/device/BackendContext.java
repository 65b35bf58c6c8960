package io.acceltel.exporter.device;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What a backend gets when it is opened.
 *
 * @param nativeLibrary an explicit path to the vendor library (libnvidia-ml.so.1, libdcmi.so); empty means the
 *     system's default search path
 * @param simulated settings of the simulated backend; ignored by the others
 * @param observer receives failed native calls, for the error self-metric and the log
 */
public record BackendContext(Optional<Path> nativeLibrary, SimulatedSettings simulated, NativeCallObserver observer) {
  public BackendContext {
    Objects.requireNonNull(nativeLibrary, "nativeLibrary");
    Objects.requireNonNull(simulated, "simulated");
    Objects.requireNonNull(observer, "observer");
  }

  /**
   * @param devices how many simulated devices
   * @param model the model name they report, e.g. "NVIDIA H100 80GB HBM3"
   * @param seed seed of the workload generator, so a test run is repeatable
   */
  public record SimulatedSettings(int devices, String model, long seed) {
    public static final SimulatedSettings DEFAULT = new SimulatedSettings(8, "NVIDIA H100 80GB HBM3", 42L);
  }
}
