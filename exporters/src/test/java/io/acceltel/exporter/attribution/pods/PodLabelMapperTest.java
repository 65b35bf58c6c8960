package io.acceltel.exporter.attribution.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.attribution.AttributionSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cardinality guards: allowlist only, sanitized names, capped values, capped count. */
class PodLabelMapperTest {
  static final Map<String, String> VOLCANO_POD = volcanoPod();

  static Map<String, String> volcanoPod() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("tenant.id", "12027394361880000");
    m.put("user.id", "bx57d89f0a785e427d88a6a2d8573d86a4");
    m.put("job-type.system.hero.ai", "TrainingJob");
    m.put("resourcepool.system.hero.ai", "a14078179380686848491473");
    m.put("volcano.sh/job-name", "tj-a15787703687180288704327");
    m.put("volcano.sh/queue-name", "default");
    m.put("volcano.sh/task-spec", "worker");
    m.put("pod-template-hash", "7d9f8c6b5");
    return m;
  }

  @Test
  void copiesOnlyTheAllowlistUnderTheDefaultNames() {
    PodLabelMapper mapper = PodLabelMapper.of(AttributionSettings.DEFAULT);

    assertThat(mapper.map(VOLCANO_POD)).containsExactly(
        Map.entry("tenant_id", "12027394361880000"),
        Map.entry("user_id", "bx57d89f0a785e427d88a6a2d8573d86a4"),
        Map.entry("job_name", "tj-a15787703687180288704327"),
        Map.entry("queue", "default"),
        Map.entry("task", "worker"));
  }

  @Test
  void capsValueLengthAndLabelCount() {
    Map<String, String> mapping = new LinkedHashMap<>();
    mapping.put("tenant.id", "tenant_id");
    mapping.put("user.id", "user_id");
    mapping.put("volcano.sh/job-name", "job_name");
    PodLabelMapper mapper = PodLabelMapper.of(AttributionSettings.DEFAULT.withPodLabels(mapping, 2, 8));

    Map<String, String> labels = mapper.map(VOLCANO_POD);

    assertThat(labels).containsExactly(Map.entry("tenant_id", "12027394"), Map.entry("user_id", "bx57d89f"));
  }

  @Test
  void sanitizesNamesAndLeavesAbsentLabelsOut() {
    assertThat(PodLabelMapper.sanitize("volcano.sh/job-name")).isEqualTo("volcano_sh_job_name");
    assertThat(PodLabelMapper.sanitize("9lives")).isEqualTo("_9lives");
    PodLabelMapper mapper = PodLabelMapper.of(AttributionSettings.DEFAULT);

    assertThat(mapper.map(Map.of("tenant.id", "t1"))).containsExactly(Map.entry("tenant_id", "t1"));
    assertThat(mapper.map(null)).isEmpty();
  }

  @Test
  void truncationNeverSplitsASurrogatePair() {
    assertThat(PodLabelMapper.truncate("ab\uD83D\uDE00cd", 3)).isEqualTo("ab");
    assertThat(PodLabelMapper.truncate("abc", 3)).isEqualTo("abc");
  }
}
