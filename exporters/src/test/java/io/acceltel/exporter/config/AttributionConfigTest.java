package io.acceltel.exporter.config;

import io.acceltel.model.config.ConfigSource;
import io.acceltel.model.config.ConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.exporter.attribution.AttributionSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttributionConfigTest {
  static ExporterConfig parse(ConfigSource source) throws ConfigException {
    return ExporterConfig.parse(source.put("node", "n", "test"), List.of("nvml", "simulated"),
        List.of("native", "dcgm"));
  }

  @Test
  void defaultsAreTheVolcanoLabelsAndTheKubeletSocket() throws Exception {
    AttributionSettings a = parse(new ConfigSource()).attribution();

    assertThat(a.mode()).isEqualTo("auto");
    assertThat(a.kubeletSocket()).isEqualTo(Path.of("/var/lib/kubelet/pod-resources/kubelet.sock"));
    assertThat(a.podLabels()).containsEntry("tenant.id", "tenant_id").containsEntry("volcano.sh/job-name", "job_name");
    assertThat(a.enabled(false, false)).isFalse();
    assertThat(a.enabled(true, false)).isTrue();
    assertThat(a.enabled(false, true)).isTrue();
  }

  @Test
  void readsTheYamlMappingAndListForms(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("exporter.yaml");
    Files.writeString(yaml, """
        attribution:
          enabled: true
          kubelet-socket: /run/k/kubelet.sock
          refresh: 500ms
          resource-names: [nvidia.com/gpu, nvidia.com/a100, huawei.com/Ascend*]
          pod-labels:
            tenant.id: tenant_id
            team.example.com/cost-center: cost-center
        """);
    AttributionSettings a = parse(new ConfigSource().putYaml(yaml)).attribution();

    assertThat(a.enabled(false, false)).isTrue();
    assertThat(a.kubeletSocket()).isEqualTo(Path.of("/run/k/kubelet.sock"));
    assertThat(a.refresh()).isEqualTo(Duration.ofMillis(500));
    assertThat(a.resourceNames().matches("nvidia.com/a100")).isTrue();
    assertThat(a.resourceNames().matches("nvidia.com/mig-1g.10gb")).isFalse();
    // The mapping replaces the defaults as a whole; label names are sanitized.
    assertThat(a.podLabels()).containsExactly(Map.entry("tenant.id", "tenant_id"),
        Map.entry("team.example.com/cost-center", "cost_center"));
  }

  @Test
  void readsTheFlagFormAndAnEmptyMappingSwitchesPodLabelsOff() throws Exception {
    assertThat(parse(new ConfigSource().put("attribution.pod-labels", "user.id=user_id", "--pod-labels"))
        .attribution().podLabels()).containsExactly(Map.entry("user.id", "user_id"));
    assertThat(parse(new ConfigSource().put("attribution.pod-labels", "", "--pod-labels"))
        .attribution().podLabels()).isEmpty();
  }

  @Test
  void errorsNameTheKeyTheValueAndWhatIsAllowed() {
    assertThatThrownBy(() -> parse(new ConfigSource().put("attribution.enabled", "yes", "t")))
        .hasMessage("invalid configuration: attribution.enabled = 'yes': allowed values are auto, true, false");
    assertThatThrownBy(() -> parse(new ConfigSource().put("attribution.refresh", "10ms", "t")))
        .hasMessageContaining("attribution.refresh = '10ms'").hasMessageContaining("at least 100ms");
    assertThatThrownBy(() -> parse(new ConfigSource().put("attribution.pod-labels", "tenant.id", "t")))
        .hasMessageContaining("attribution.pod-labels = 'tenant.id'").hasMessageContaining("pairs");
    assertThatThrownBy(() -> parse(new ConfigSource().put("attribution.pod-labels", "app=pod", "t")))
        .hasMessageContaining("attribution.pod-labels.app = 'pod'").hasMessageContaining("reserved");
    // A label a metric carries (accelerator_health_reason_active{reason}) would appear twice on that metric.
    assertThatThrownBy(() -> parse(new ConfigSource().put("attribution.pod-labels", "why=reason", "t")))
        .hasMessageContaining("attribution.pod-labels.why = 'reason'").hasMessageContaining("reserved");
    assertThatThrownBy(() -> parse(new ConfigSource().put("attribution.max-labels", "2", "t")))
        .hasMessageContaining("attribution.max-labels is 2");
    assertThatThrownBy(() -> parse(new ConfigSource().put("attribution.max-value-length", "0", "t")))
        .hasMessageContaining("attribution.max-value-length = '0': a whole number from 1 to 1024");
    assertThatThrownBy(() -> parse(new ConfigSource().put("attribution.kubelet", "x", "t")))
        .hasMessageContaining("unknown configuration key 'attribution.kubelet'");
  }
}
