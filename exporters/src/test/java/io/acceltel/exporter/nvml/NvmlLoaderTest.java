package io.acceltel.exporter.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.exporter.device.BackendUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

  /**
   * Without an explicit path, whether a copy of the library is installed decides between "no driver here" (the
   * demo may simulate devices) and a broken driver (reported), whatever the loader's message says.
   */
  @Test
  void aMissingLibraryIsNoDriverAndAnInstalledOneThatDoesNotLoadIsAFault() {
    String absent = "libacceltel-test-absent.so.1";
    assertThatThrownBy(() -> NvmlLoader.load(Optional.empty(), absent, name -> List.of()))
        .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
          assertThat(e.noDriver()).isTrue();
          assertThat(e).hasMessageStartingWith("NVIDIA driver library " + absent + " was not found");
        });
    assertThatThrownBy(() -> NvmlLoader.load(Optional.empty(), absent,
        name -> List.of(Path.of("/usr/lib/x86_64-linux-gnu", name))))
        .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
          assertThat(e.noDriver()).isFalse();
          assertThat(e).hasMessageStartingWith("NVIDIA driver library " + absent + " could not be loaded (");
        });
  }
}
