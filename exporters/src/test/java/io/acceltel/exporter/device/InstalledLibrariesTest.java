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
}
