package io.acceltel.exporter.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstalledLibrariesTest {
  @Test
  void findsTheLibraryWhereTheLoaderLooks(@TempDir Path dir) throws Exception {
    Path fromEnvironment = Files.createDirectories(dir.resolve("env"));
    Path fromConf = Files.createDirectories(dir.resolve("conf-listed"));
    Path system = Files.createDirectories(dir.resolve("system"));
    Path confDir = Files.createDirectories(dir.resolve("ld.so.conf.d"));
    Files.writeString(confDir.resolve("nvidia.conf"), "# the driver's directory\n" + fromConf + "\n");
    Files.writeString(confDir.resolve("ignored.txt"), dir.resolve("elsewhere") + "\n");
    for (Path d : List.of(fromEnvironment, fromConf, system)) {
      Files.writeString(d.resolve("libnvidia-ml.so.1"), "not really a library");
    }
    Map<String, String> env = Map.of("LD_LIBRARY_PATH", "::" + fromEnvironment + ":" + dir.resolve("missing"));

    assertThat(InstalledLibraries.find("libnvidia-ml.so.1", env, confDir, List.of(system.toString())))
        .containsExactly(fromEnvironment.resolve("libnvidia-ml.so.1"), fromConf.resolve("libnvidia-ml.so.1"),
            system.resolve("libnvidia-ml.so.1"));
    assertThat(InstalledLibraries.find("libdcmi.so", env, confDir, List.of(system.toString()))).isEmpty();
    assertThat(InstalledLibraries.find("libnvidia-ml.so.1", Map.of(), dir.resolve("no-such-dir"), List.of()))
        .as("nothing configured, nothing found").isEmpty();
  }

  /** A link left dangling by a half-finished driver upgrade is a broken install, not "no driver here". */
  @Test
  void aDanglingLinkCountsAsInstalled(@TempDir Path dir) throws Exception {
    Path lib = Files.createDirectories(dir.resolve("lib"));
    Files.createSymbolicLink(lib.resolve("libnvidia-ml.so.1"), lib.resolve("libnvidia-ml.so.550.54.15"));
    assertThat(InstalledLibraries.find("libnvidia-ml.so.1", Map.of(), dir.resolve("none"), List.of(lib.toString())))
        .containsExactly(lib.resolve("libnvidia-ml.so.1"));
  }

  @Test
  void theReasonIsTheDynamicLoadersLine() {
    assertThat(InstalledLibraries.loaderReason("Unable to load library 'libnvidia-ml.so.1':\n"
        + "/opt/lib/libnvidia-ml.so.1: wrong ELF class: ELFCLASS32\n/opt/lib/libnvidia-ml.so.1: wrong ELF class\n"
        + "Native library (linux-x86-64/libnvidia-ml.so.1) not found in resource path"))
        .isEqualTo("/opt/lib/libnvidia-ml.so.1: wrong ELF class: ELFCLASS32");
    assertThat(InstalledLibraries.loaderReason("something else")).isEqualTo("something else");
  }
}
