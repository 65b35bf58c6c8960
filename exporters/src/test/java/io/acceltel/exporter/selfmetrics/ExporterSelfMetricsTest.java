package io.acceltel.exporter.selfmetrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.testing.LogCapture;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ExporterSelfMetricsTest {
  private LogCapture log;
  private List<LogRecord> logged;

  @BeforeEach
  void captureLog() {
    log = LogCapture.of(ExporterSelfMetrics.class);
    logged = log.records();
  }

  @AfterEach
  void releaseLog() {
    log.close();
  }

  @Test
  void aFailingCallIsCountedEveryTimeAndLoggedOncePerFunctionAndCode() {
    PrometheusRegistry registry = new PrometheusRegistry();
    ExporterSelfMetrics metrics = new ExporterSelfMetrics(registry);
    for (int tick = 0; tick < 5; tick++) {
      metrics.failed("nvml", "nvmlDeviceGetTotalEccErrors", 4, "NVML_ERROR_NO_PERMISSION");
    }
    metrics.failed("nvml", "nvmlDeviceGetTotalEccErrors", 999, "NVML_ERROR_UNKNOWN");
    metrics.failed("nvml", "nvmlDeviceGetPcieReplayCounter", 4, "NVML_ERROR_NO_PERMISSION");

    assertThat(errors(registry, "nvmlDeviceGetTotalEccErrors", "NVML_ERROR_NO_PERMISSION")).isEqualTo(5);
    assertThat(errors(registry, "nvmlDeviceGetTotalEccErrors", "NVML_ERROR_UNKNOWN")).isEqualTo(1);
    assertThat(logged).hasSize(3).allMatch(r -> r.getLevel() == Level.WARNING);
    assertThat(logged.get(0).getMessage()).contains("nvmlDeviceGetTotalEccErrors", "NVML_ERROR_NO_PERMISSION (4)",
        MetricCatalog.BACKEND_ERRORS.name());
    assertThat(logged.get(1).getMessage()).contains("nvmlDeviceGetTotalEccErrors", "NVML_ERROR_UNKNOWN");
    assertThat(logged.get(2).getMessage()).contains("nvmlDeviceGetPcieReplayCounter");
  }

  @Test
  void livenessFailsWhenNoTickCompletesOrTheBackendBecameUnusable() {
    long[] now = {0};
    ExporterSelfMetrics metrics = new ExporterSelfMetrics(new PrometheusRegistry(), () -> now[0]);
    Duration limit = Duration.ofMinutes(1);
    assertThat(metrics.livenessProblem(limit)).isEmpty();
    now[0] = Duration.ofSeconds(61).toNanos();
    assertThat(metrics.livenessProblem(limit)).hasValueSatisfying(
        why -> assertThat(why).contains("no tick completed for 61 s"));
    metrics.tickCompleted(1_000, 0.001);
    assertThat(metrics.livenessProblem(limit)).isEmpty();

    metrics.backendUnusable("nvml", "nvmlDeviceGetTemperature returned NVML_ERROR_LIB_RM_VERSION_MISMATCH");
    metrics.backendUnusable("nvml", "nvmlDeviceGetPowerUsage returned NVML_ERROR_LIB_RM_VERSION_MISMATCH");
    assertThat(metrics.livenessProblem(limit)).hasValue(
        "nvml: nvmlDeviceGetTemperature returned NVML_ERROR_LIB_RM_VERSION_MISMATCH");
    assertThat(logged).singleElement().satisfies(r -> {
      assertThat(r.getLevel()).isEqualTo(Level.SEVERE);
      assertThat(r.getMessage()).contains("/healthz");
    });
  }

  private static double errors(PrometheusRegistry registry, String function, String code) {
    Labels wanted = Labels.of("backend", "nvml", "code", code, "function", function);
    return registry.scrape().stream()
        .filter(s -> s.getMetadata().getPrometheusName().equals("acceltel_exporter_backend_errors"))
        .flatMap(s -> ((CounterSnapshot) s).getDataPoints().stream())
        .filter(p -> p.getLabels().equals(wanted))
        .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue)
        .findFirst().orElse(0);
  }
}
