package io.acceltel.exporter.nvml;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which binding the loader hands out: JNA direct mapping for the per-tick calls, or the proxy alone. */
class NvmlLoaderTest {
  @Test
  void aLibraryWithEveryPerTickFunctionGetsTheDirectBinding() throws Exception {
    assertThat(NvmlLoader.load(Optional.of(NvmlDouble.PATH))).isInstanceOf(NvmlDirect.class);
  }

  @Test
  void aLibraryLackingAPerTickFunctionFallsBackToTheProxyInsteadOfFailing() throws Exception {
    // The DCMI double exports no NVML symbol at all: direct registration fails, the proxy binds lazily.
    Path noNvmlSymbols = NvmlDouble.PATH.resolveSibling("libdcmi_double.so");
    NvmlLibrary nvml = NvmlLoader.load(Optional.of(noNvmlSymbols));
    assertThat(nvml).isNotInstanceOf(NvmlDirect.class);
  }
}
