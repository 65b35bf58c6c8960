package io.acceltel.model.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.model.catalog.MetricCatalog;
import org.junit.jupiter.api.Test;

class MetricsDocTest {
  @Test
  void docsMetricsMdIsGeneratedFromTheCatalog() {
    GeneratedDoc doc = new GeneratedDoc("docs/metrics.md", CatalogMarkdown.render(MetricCatalog.all()));
    assertThat(doc.staleness()).isEmpty();
  }

  @Test
  void theRenderingListsEveryMetricWithItsNvmlSource() {
    String md = CatalogMarkdown.render(MetricCatalog.all());
    assertThat(md).contains("| `accelerator_power_watts` | gauge |")
        .contains("nvmlDeviceGetSamples(TOTAL_POWER)");
    assertThat(md.lines().filter(l -> l.startsWith("| `"))).hasSize(MetricCatalog.all().size());
  }
}
