package io.acceltel.exporter.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.exporter.device.BackendUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the loader hands out (JNA direct mapping for the per-tick calls, or the proxy alone), and how it refuses. */
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

  /** A file that is there but is no loadable library: the loader's reason, not JNA's "Unable to load library". */
  @Test
  void aLibraryThatDoesNotLoadSaysWhyInOneSentence(@TempDir Path dir) throws Exception {
    Path truncated = Files.writeString(dir.resolve("libnvidia-ml.so.1"), "not an ELF file");
    assertThatThrownBy(() -> NvmlLoader.load(Optional.of(truncated)))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageStartingWith("NVIDIA driver library " + truncated + " could not be loaded (" + truncated + ": ")
        .hasMessageNotContaining("Unable to load library")
        .hasMessageNotContaining("\n");
  }

  @Test
  void theReasonIsTheDynamicLoadersLine() {
    assertThat(NvmlLoader.dlopenReason("Unable to load library 'libnvidia-ml.so.1':\n"
        + "/opt/lib/libnvidia-ml.so.1: wrong ELF class: ELFCLASS32\n/opt/lib/libnvidia-ml.so.1: wrong ELF class\n"
        + "Native library (linux-x86-64/libnvidia-ml.so.1) not found in resource path"))
        .isEqualTo("/opt/lib/libnvidia-ml.so.1: wrong ELF class: ELFCLASS32");
    assertThat(NvmlLoader.dlopenReason("something else")).isEqualTo("something else");
  }
}
