package io.acceltel.exporter.attribution.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.attribution.AttributionMetrics;
import io.acceltel.exporter.attribution.AttributionSettings;
import io.acceltel.model.testing.Await;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pod watch against fabric8's Kubernetes mock server in CRUD mode (a real HTTP API server on loopback). */
class PodWatcherTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  KubernetesMockServer server;
  KubernetesClient client;
  final AtomicInteger watchErrors = new AtomicInteger();
  final AttributionMetrics metrics = new AttributionMetrics() {
    @Override
    public void kubeletError(String call, String code) {}

    @Override
    public void podWatchError() {
      watchErrors.incrementAndGet();
    }
  };

  @BeforeEach
  void startApiServer() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
  }

  @AfterEach
  void stopApiServer() {
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      // The mock server's own shutdown gives up after 10 s when a closed client's connection lingers (seen once on
      // a loaded CI machine). The behaviour under test is over by then; a second attempt frees the port.
      server.destroy();
    }
  }

  static Pod pod(String namespace, String name, String node, Map<String, String> labels) {
    return new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).withLabels(labels)
        .endMetadata().withNewSpec().withNodeName(node).endSpec().build();
  }

  /**
   * The CRUD mock selects on metadata fields only, so it would answer spec.nodeName=… with nothing: the tests
   * watch every pod and rely on the watcher's own node check; {@link #asksTheApiServerForThisNodesPodsOnly} proves
   * the production watcher sends the field selector.
   */
  PodWatcher watch() {
    return PodWatcher.start(client.pods().inAnyNamespace(), "gpu-node-1",
        PodLabelMapper.of(AttributionSettings.DEFAULT), metrics, Duration.ofMillis(500));
  }

  @Test
  void asksTheApiServerForThisNodesPodsOnly() throws InterruptedException {
    try (PodWatcher pods = PodWatcher.start(client, "gpu-node-1", PodLabelMapper.of(AttributionSettings.DEFAULT),
        metrics)) {
      Await.until("the watch", WAIT, pods::isWatching);
      List<String> paths = new ArrayList<>();
      RecordedRequest r;
      while ((r = server.takeRequest(1, TimeUnit.SECONDS)) != null) {
        paths.add(r.getPath());
      }
      assertThat(paths).isNotEmpty().allSatisfy(path ->
          assertThat(URLDecoder.decode(path, StandardCharsets.UTF_8)).contains("fieldSelector=spec.nodeName=gpu-node-1"));
    }
  }

  @Test
  void keepsTheMappedLabelsOfThisNodesPodsOnly() {
    client.pods().inNamespace("team-llm").resource(pod("team-llm", "tj-a-worker-0", "gpu-node-1",
        PodLabelMapperTest.VOLCANO_POD)).create();
    client.pods().inNamespace("team-llm").resource(pod("team-llm", "elsewhere", "gpu-node-2",
        Map.of("tenant.id", "999"))).create();

    try (PodWatcher pods = watch()) {
      Await.until("the pod's labels and the watch", WAIT,
          () -> pods.isWatching() && !pods.current().labels("team-llm", "tj-a-worker-0").isEmpty());

      assertThat(pods.current().labels("team-llm", "tj-a-worker-0"))
          .containsEntry("tenant_id", "12027394361880000")
          .containsEntry("user_id", "bx57d89f0a785e427d88a6a2d8573d86a4")
          .containsEntry("job_name", "tj-a15787703687180288704327")
          .doesNotContainKey("pod_template_hash");
      assertThat(pods.current().labels("team-llm", "elsewhere")).isEmpty();
      assertThat(pods.stalenessSeconds()).isZero();
    }
  }

  @Test
  void followsPodsComingChangingAndGoing() {
    try (PodWatcher pods = watch()) {
      Await.until("the watch", WAIT, pods::isWatching);
      client.pods().inNamespace("ns").resource(pod("ns", "p", "gpu-node-1", Map.of("tenant.id", "t1"))).create();
      Await.until("the new pod", WAIT, () -> "t1".equals(pods.current().labels("ns", "p").get("tenant_id")));

      client.pods().inNamespace("ns").withName("p").edit(p -> new PodBuilder(p).editMetadata()
          .addToLabels("tenant.id", "t2").endMetadata().build());
      Await.until("the changed label", WAIT, () -> "t2".equals(pods.current().labels("ns", "p").get("tenant_id")));

      // A pod that completed is still listed by the kubelet with its devices: the index says it finished.
      assertThat(pods.current().finished("ns", "p")).isFalse();
      client.pods().inNamespace("ns").withName("p").edit(p -> new PodBuilder(p).withNewStatus()
          .withPhase("Succeeded").endStatus().build());
      Await.until("the pod to finish", WAIT, () -> pods.current().finished("ns", "p"));

      client.pods().inNamespace("ns").withName("p").delete();
      Await.until("the pod to go", WAIT, () -> pods.current().labels("ns", "p").isEmpty());
      assertThat(pods.current().finished("ns", "p")).isFalse();
    }
  }

  /** With no pod labels mapped the watch still runs: a finished pod must not keep naming its GPU. */
  @Test
  void withNoLabelsMappedTheWatchStillKnowsWhichPodsFinished() {
    AttributionSettings noLabels = new AttributionSettings(AttributionSettings.AUTO,
        AttributionSettings.DEFAULT_SOCKET, AttributionSettings.DEFAULT.resourceNames(),
        AttributionSettings.DEFAULT_REFRESH, Map.of(), AttributionSettings.DEFAULT_MAX_LABELS,
        AttributionSettings.DEFAULT_MAX_VALUE_LENGTH);
    PodLabelMapper mapper = PodLabelMapper.of(noLabels);
    assertThat(mapper.isEmpty()).isTrue();
    try (PodWatcher pods = PodWatcher.start(client.pods().inAnyNamespace(), "gpu-node-1", mapper, metrics,
        Duration.ofMillis(500))) {
      Await.until("the watch", WAIT, pods::isWatching);
      client.pods().inNamespace("ns").resource(pod("ns", "job-x", "gpu-node-1", Map.of("tenant.id", "t1"))).create();
      client.pods().inNamespace("ns").withName("job-x").edit(p -> new PodBuilder(p).withNewStatus()
          .withPhase("Succeeded").endStatus().build());
      Await.until("the pod to finish", WAIT, () -> pods.current().finished("ns", "job-x"));
      assertThat(pods.current().labels("ns", "job-x")).as("no labels mapped").isEmpty();
    }
  }

  /**
   * A deleted pod's labels outlive it by a grace (the kubelet still lists its devices), but never take the place of
   * a pod re-created under the same name meanwhile, as a StatefulSet does.
   */
  @Test
  void aDeletedPodsLabelsStayForAGraceButNeverOverARecreatedPod() throws Exception {
    try (PodWatcher pods = PodWatcher.start(client.pods().inAnyNamespace(), "gpu-node-1",
        PodLabelMapper.of(AttributionSettings.DEFAULT), metrics, Duration.ofSeconds(1))) {
      Await.until("the watch", WAIT, pods::isWatching);
      client.pods().inNamespace("ns").resource(new PodBuilder(pod("ns", "s-0", "gpu-node-1",
          Map.of("tenant.id", "old"))).editMetadata().withUid("uid-old").endMetadata().build()).create();
      Await.until("the pod", WAIT, () -> "old".equals(pods.current().labels("ns", "s-0").get("tenant_id")));
      client.pods().inNamespace("ns").withName("s-0").delete();
      client.pods().inNamespace("ns").resource(new PodBuilder(pod("ns", "s-0", "gpu-node-1",
          Map.of("tenant.id", "new"))).editMetadata().withUid("uid-new").endMetadata().build()).create();
      Await.until("the re-created pod", WAIT, () -> "new".equals(pods.current().labels("ns", "s-0").get("tenant_id")));
      Await.until("the old pod's grace to run out", WAIT, () -> pods.delayedRemovalsRun() == 1);
      assertThat(pods.current().labels("ns", "s-0")).containsEntry("tenant_id", "new");
    }
  }

  @Test
  void whenTheApiServerIsDownTheLastLabelsStayAndStalenessGrows() {
    client.pods().inNamespace("ns").resource(pod("ns", "p", "gpu-node-1", Map.of("user.id", "u1"))).create();
    try (PodWatcher pods = watch()) {
      Await.until("the watch", WAIT, () -> pods.isWatching() && !pods.current().labels("ns", "p").isEmpty());

      server.destroy();

      Await.until("staleness to show", WAIT, () -> pods.stalenessSeconds() > 0.5);
      Await.until("the failure to count", WAIT, () -> watchErrors.get() > 0);
      assertThat(pods.current().labels("ns", "p")).containsEntry("user_id", "u1");
    }
  }
}
