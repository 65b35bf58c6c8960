package io.acceltel.exporter.attribution.kubelet;

import static io.acceltel.exporter.attribution.kubelet.FakeKubelet.container;
import static io.acceltel.exporter.attribution.kubelet.FakeKubelet.devices;
import static io.acceltel.exporter.attribution.kubelet.FakeKubelet.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.exporter.attribution.AttributionSelfMetrics;
import io.acceltel.exporter.attribution.AttributionSettings;
import io.acceltel.exporter.attribution.KubernetesAttribution;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.testing.Await;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The wiring a node exporter starts: the kubelet poller and the pod watch behind one attributor. */
class KubernetesAttributionTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  Path dir;
  FakeKubelet kubelet;
  KubernetesMockServer apiServer;
  AttributionSettings settings;
  final PrometheusRegistry registry = new PrometheusRegistry();

  @BeforeEach
  void start() throws IOException {
    dir = Files.createTempDirectory(Path.of("/tmp"), "k");
    kubelet = new FakeKubelet(dir.resolve("kubelet.sock")).start();
    apiServer = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    apiServer.init(InetAddress.getLoopbackAddress(), 0);
    settings = AttributionSettings.DEFAULT.withKubeletSocket(dir.resolve("kubelet.sock"))
        .withRefresh(Duration.ofMillis(100))
        // The CRUD mock answers the watch's spec.nodeName selector with no pods: with labels mapped, the attributor
        // would hold the kubelet's answer back for the pod-label wait. PodWatcherTest covers the labels.
        .withPodLabels(Map.of(), AttributionSettings.DEFAULT_MAX_LABELS,
            AttributionSettings.DEFAULT_MAX_VALUE_LENGTH);
  }

  @AfterEach
  void stop() throws IOException {
    kubelet.close();
    apiServer.destroy();
    Files.deleteIfExists(dir.resolve("kubelet.sock"));
    Files.deleteIfExists(dir);
  }

  private static boolean kubeletThreadRuns() {
    return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("acceltel-kubelet"));
  }

  private List<String> stalenessSources() {
    List<String> sources = new ArrayList<>();
    for (MetricSnapshot m : registry.scrape()) {
      if (m.getMetadata().getPrometheusName().equals(MetricCatalog.ATTRIBUTION_STALENESS.name())) {
        for (GaugeSnapshot.GaugeDataPointSnapshot p : ((GaugeSnapshot) m).getDataPoints()) {
          sources.add(p.getLabels().get("source"));
        }
      }
    }
    return sources;
  }

  @Test
  void attributesFromTheKubeletAndAnnouncesWhatItWatches() {
    kubelet.answer(pod("team-llm", "trainer-0", container("pytorch",
        devices("nvidia.com/gpu", KubeletAllocationsTest.GPU0))));
    List<String> announced = new ArrayList<>();
    DeviceSnapshot gpu0 = KubeletAllocationsTest.gpu(0, KubeletAllocationsTest.GPU0);
    try (KubernetesClient client = apiServer.createClient();
        KubernetesAttribution attribution = KubernetesAttribution.start(settings, "gpu-node-1", () -> client,
            new AttributionSelfMetrics(registry), announced::add)) {
      assertThat(announced).singleElement().asString()
          .contains("kubelet " + dir.resolve("kubelet.sock"), "every 100ms", "pods of node gpu-node-1",
              "phases only", "DRA claims through the node's ResourceSlices");
      Await.until("the kubelet's answer", WAIT, () -> "trainer-0".equals(
          attribution.attributor().attributeTick(List.of(gpu0)).get(0).attribution().get("pod")));
      DeviceSnapshot attributed = attribution.attributor().attributeTick(List.of(gpu0)).get(0);
      assertThat(attributed.attribution().get("namespace")).isEqualTo("team-llm");
      assertThat(attributed.attribution().get("container")).isEqualTo("pytorch");
      assertThat(stalenessSources()).containsExactlyInAnyOrder("kubelet", "apiserver");
    }
    Await.until("the kubelet poller to stop", WAIT, () -> !kubeletThreadRuns());
  }

  /** No API server client (no service account, no kubeconfig): nothing is left running or reporting. */
  @Test
  void aFailedStartStopsTheKubeletPollerAndRegistersNoGauges() {
    AtomicReference<String> announced = new AtomicReference<>();
    assertThatThrownBy(() -> KubernetesAttribution.start(settings, "gpu-node-1", () -> {
      throw new IllegalStateException("no kubeconfig");
    }, new AttributionSelfMetrics(registry), announced::set)).hasMessage("no kubeconfig");
    Await.until("the kubelet poller to stop", WAIT, () -> !kubeletThreadRuns());
    assertThat(announced.get()).isNull();
    assertThat(stalenessSources()).isEmpty();
  }
}
