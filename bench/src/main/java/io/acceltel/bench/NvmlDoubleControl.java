package io.acceltel.bench;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import io.acceltel.exporter.device.BackendContext;
import io.acceltel.exporter.device.BackendUnavailableException;
import io.acceltel.exporter.device.DeviceBackend;
import io.acceltel.exporter.device.NativeCallObserver;
import io.acceltel.exporter.nvml.NvmlBackendProvider;

/**
 * The control functions of {@code libnvml_double.so}, the C test double of libnvidia-ml that the exporters' test
 * build compiles. Benchmarks use it to set the number of GPUs the double reports.
 */
interface NvmlDoubleControl extends Library {
  void nvmlDouble_reset(int deviceCount);

  void nvmlDouble_setUint(String key, int device, long value);

  /** The double's path: {@code -Dacceltel.nvml.double=...}, else the exporters module's build output. */
  static Path path() {
    Path path = Path.of(System.getProperty("acceltel.nvml.double", "exporters/target/native/libnvml_double.so"));
    if (!Files.exists(path)) {
      throw new IllegalStateException(path + " does not exist: build it with 'mvn -pl exporters test-compile' "
          + "from the repository root, or pass -Dacceltel.nvml.double=PATH");
    }
    return path.toAbsolutePath();
  }

  static NvmlDoubleControl load(Path path) {
    return Native.load(path.toString(), NvmlDoubleControl.class);
  }

  /** {@link #openEightGpus(int)} without NVLink, like the PCIe H100 of shared/data/h100-trace. */
  static DeviceBackend openEightGpus() throws BackendUnavailableException {
    return openEightGpus(0);
  }

  /**
   * The NVML backend opened on {@link #path()}: on the double, set to 8 GPUs first, each with {@code nvlinks}
   * NVLink links; on a real libnvidia-ml, the GPUs and links the machine has.
   */
  static DeviceBackend openEightGpus(int nvlinks) throws BackendUnavailableException {
    Path library = path();
    if (library.getFileName().toString().contains("double")) {
      NvmlDoubleControl control = load(library);
      control.nvmlDouble_reset(8);
      for (int i = 0; i < 8; i++) {
        control.nvmlDouble_setUint("nvlink.count", i, nvlinks);
      }
    }
    return new NvmlBackendProvider().open(new BackendContext(Optional.of(library),
        BackendContext.SimulatedSettings.DEFAULT, NativeCallObserver.NOOP));
  }
}
