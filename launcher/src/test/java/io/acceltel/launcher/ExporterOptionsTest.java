package io.acceltel.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the exporter's flags layer over its file. */
class ExporterOptionsTest {
  /** --pod-labels replaces the file's mapping as a whole (README: "overridden by flags"), and empty means none. */
  @Test
  void podLabelsFromTheFlagReplaceTheFilesMapping(@TempDir Path dir) throws Exception {
    ExporterOptions options = new ExporterOptions();
    options.config = Files.writeString(dir.resolve("exporter.yaml"),
        "attribution:\n  pod-labels:\n    tenant.id: tenant_id\n    team: team\n");
    options.podLabels = "team=owner";
    assertThat(options.resolve("simulated").attribution().podLabels()).containsExactly(Map.entry("team", "owner"));
    options.podLabels = "";
    assertThat(options.resolve("simulated").attribution().podLabels()).isEmpty();
  }
}
