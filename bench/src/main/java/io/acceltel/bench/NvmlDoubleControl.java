package io.acceltel.bench;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The control functions of {@code libnvml_double.so}, the C test double of libnvidia-ml that the exporters' test
 * build compiles. Benchmarks use it to set the number of GPUs the double reports.
 */
interface NvmlDoubleControl extends Library {
  void nvmlDouble_reset(int deviceCount);

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
}
