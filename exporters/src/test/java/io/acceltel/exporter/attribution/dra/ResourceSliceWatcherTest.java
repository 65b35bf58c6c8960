package io.acceltel.exporter.attribution.dra;

import static io.acceltel.exporter.attribution.dra.DraFixtures.NVIDIA;
import static io.acceltel.exporter.attribution.dra.DraFixtures.device;
import static io.acceltel.exporter.attribution.dra.DraFixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.attribution.AttributionSelfMetrics;
import io.acceltel.exporter.attribution.DeviceId;
import io.acceltel.model.testing.Await;
import io.acceltel.model.testing.LogCapture;
import io.fabric8.kubernetes.api.model.ListMetaBuilder;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceSlice;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceSliceListBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The DRA join, against fabric8's Kubernetes mock server (a real HTTP API server on loopback): in CRUD mode for the
 * slices themselves, with fixed answers for an API server without {@code resource.k8s.io/v1} and one that forbids
 * the list.
 */
class ResourceSliceWatcherTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final String NODE = "gpu-node-1";
  static final String GPU0 = "GPU-8d30c9b5-1e2f-4a3b-9c7d-000000000000";
  static final String GPU1 = "GPU-8d30c9b5-1e2f-4a3b-9c7d-000000000001";
  static final String MIG = "MIG-4f1c6e3a-0b7d-5e2a-8c9f-000000000002";

  /** The informer's first list: this node's slices, from any resource version. */
  static final String LIST_PATH =
      "/apis/resource.k8s.io/v1/resourceslices?fieldSelector=spec.nodeName%3D" + NODE + "&resourceVersion=0";

  KubernetesMockServer server;
  KubernetesClient client;
  final AttributionSelfMetrics metrics = new AttributionSelfMetrics(new PrometheusRegistry());

  void startApiServer(boolean crud) {
    server = crud
        ? new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(),
            false)
        : new KubernetesMockServer(false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
  }

  /** An API server that answers every list of this node's slices with this status. */
  void startApiServerAnsweringTheList(int code, String reason) {
    startApiServer(false);
    server.expect().get().withPath(LIST_PATH)
        .andReturn(code, "{\"kind\":\"Status\",\"code\":" + code + ",\"reason\":\"" + reason + "\"}").always();
  }

  @AfterEach
  void stopApiServer() {
    if (server == null) {
      return;
    }
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      server.destroy(); // see PodWatcherTest: a lingering connection can make the first attempt give up
    }
  }

  @Test
  void joinsTheDevicesOfThisNodesNewestSlicesToTheirUuids() {
    DraDevices devices = DraDevices.of(List.of(
        slice("node-1-gpus", NODE, NVIDIA, 2,
            device("gpu-0", "type", "gpu", "uuid", GPU0),
            device("gpu-0-mig-1g-0", "type", "mig", NVIDIA + "/uuid", MIG), // the qualified name, same attribute
            device("gpu-1"),                                                // no uuid: cannot be joined
            device("fpga-0", "uuid", "0b7d5e2a")),                          // a uuid that names no accelerator
        slice("node-1-gpus-old", NODE, NVIDIA, 1, device("gpu-1", "uuid", GPU1)), // an older generation
        slice("node-2-gpus", "gpu-node-2", NVIDIA, 2, device("gpu-5", "uuid", GPU1))), NODE);

    assertThat(devices.resolve(NVIDIA, NODE, "gpu-0")).isEqualTo(new DeviceId.Uuid(GPU0));
    assertThat(devices.resolve(NVIDIA, NODE, "gpu-0-mig-1g-0")).isEqualTo(new DeviceId.Uuid(MIG));
    assertThat(devices.resolve(NVIDIA, NODE, "gpu-1")).as("only in an older generation").isNull();
    assertThat(devices.resolve(NVIDIA, NODE, "fpga-0")).isNull();
    assertThat(devices.resolve(NVIDIA, "gpu-node-2", "gpu-5")).as("another node's").isNull();
    assertThat(devices.resolve("other.example.com", NODE, "gpu-0")).as("another driver's").isNull();
    assertThat(devices.all()).containsExactlyInAnyOrder(new DeviceId.Uuid(GPU0), new DeviceId.Uuid(MIG));
    assertThat(devices.known()).isTrue();
    assertThat(DraDevices.UNKNOWN.known()).isFalse();
  }

  /** While the driver has published only part of a new generation, the devices not in it yet keep their join. */
  @Test
  void anIncompleteNewGenerationDoesNotDropTheDevicesItHasNotPublishedYet() {
    DraDevices devices = DraDevices.of(List.of(
        slice("node-1-gpus-a", NODE, NVIDIA, 3, 2, device("gpu-0", "uuid", GPU1)), // 1 of the 2 slices of gen 3
        slice("node-1-gpus-old", NODE, NVIDIA, 2, device("gpu-0", "uuid", GPU0), device("gpu-1", "uuid", MIG))),
        NODE);
    assertThat(devices.resolve(NVIDIA, NODE, "gpu-0")).as("the newest generation's").isEqualTo(new DeviceId.Uuid(GPU1));
    assertThat(devices.resolve(NVIDIA, NODE, "gpu-1")).as("kept from the older one").isEqualTo(new DeviceId.Uuid(MIG));
  }

  @Test
  void followsSlicesComingChangingAndGoing() {
    startApiServer(true);
    try (ResourceSliceWatcher slices = ResourceSliceWatcher.start(client.resources(ResourceSlice.class), NODE,
        metrics, ResourceSliceWatcher.RECHECK)) {
      Await.until("the first list", WAIT, () -> slices.current().known());
      assertThat(slices.current().size()).isZero();

      client.resource(slice("node-1-gpus", NODE, NVIDIA, 1, device("gpu-0", "uuid", GPU0))).create();
      Await.until("the new slice", WAIT, () -> slices.current().resolve(NVIDIA, NODE, "gpu-0") != null);
      assertThat(slices.current().resolve(NVIDIA, NODE, "gpu-0")).isEqualTo(new DeviceId.Uuid(GPU0));

      // The driver republishes its pool (say, after a GPU swap): the new generation replaces the old.
      client.resource(slice("node-1-gpus", NODE, NVIDIA, 2, device("gpu-0", "uuid", GPU1))).update();
      Await.until("the new generation", WAIT,
          () -> new DeviceId.Uuid(GPU1).equals(slices.current().resolve(NVIDIA, NODE, "gpu-0")));

      client.resources(ResourceSlice.class).withName("node-1-gpus").delete();
      Await.until("the slice to go", WAIT, () -> slices.current().resolve(NVIDIA, NODE, "gpu-0") == null);
      assertThat(metrics.resourceSliceWatchErrors()).isZero();
    }
  }

  @Test
  void asksTheApiServerForThisNodesSlicesOnly() throws InterruptedException {
    startApiServer(true);
    try (ResourceSliceWatcher slices = ResourceSliceWatcher.start(client, NODE, metrics)) {
      Await.until("the first list", WAIT, () -> slices.current().known());
      List<String> paths = new ArrayList<>();
      RecordedRequest r;
      while ((r = server.takeRequest(1, TimeUnit.SECONDS)) != null) {
        paths.add(URLDecoder.decode(r.getPath(), StandardCharsets.UTF_8));
      }
      assertThat(paths).isNotEmpty().allSatisfy(path -> assertThat(path)
          .startsWith("/apis/resource.k8s.io/v1/resourceslices").contains("fieldSelector=spec.nodeName=" + NODE));
    }
  }

  /** Kubernetes before 1.34 (or DRA off) serves no resource.k8s.io/v1: said once, not retried, not an error. */
  @Test
  void anApiServerWithoutDraIsToldOnceAndNotAskedAgain() {
    startApiServerAnsweringTheList(404, "NotFound");
    try (LogCapture log = LogCapture.of(ResourceSliceWatcher.class);
        ResourceSliceWatcher slices = ResourceSliceWatcher.start(client, NODE, metrics)) {
      Await.until("the 404 to stop the watch", WAIT, slices::stopped);
      assertThat(slices.current()).isSameAs(DraDevices.NOT_SERVED);
      assertThat(server.getRequestCount()).as("no retry").isEqualTo(1);
      assertThat(metrics.resourceSliceWatchErrors()).isZero();
      assertThat(log.messages()).singleElement().asString().contains("resource.k8s.io/v1")
          .contains("no device is attributed through a DRA claim");
    }
  }

  /**
   * An API server upgraded to serve resource.k8s.io/v1 under a running exporter: the re-check finds it. A 404 once
   * the watch has listed (here the relist after the mock's 404 to the watch request) is an outage, not "not
   * served": the devices stay joined.
   */
  @Test
  void theRecheckFindsSlicesServedLaterAndA404AfterThatIsAnOutage() {
    startApiServer(false);
    server.expect().get().withPath(LIST_PATH)
        .andReturn(404, "{\"kind\":\"Status\",\"code\":404,\"reason\":\"NotFound\"}").once();
    server.expect().get().withPath(LIST_PATH).andReturn(200, new ResourceSliceListBuilder()
        .withMetadata(new ListMetaBuilder().withResourceVersion("7").build())
        .withItems(slice("node-1-gpus", NODE, NVIDIA, 1, device("gpu-0", "uuid", GPU0))).build()).once();
    server.expect().get().withPath(LIST_PATH)
        .andReturn(404, "{\"kind\":\"Status\",\"code\":404,\"reason\":\"NotFound\"}").always();
    try (ResourceSliceWatcher slices = ResourceSliceWatcher.start(
        client.resources(ResourceSlice.class).withField("spec.nodeName", NODE), NODE, metrics,
        Duration.ofMillis(100))) {
      Await.until("the re-check's list", WAIT, () -> slices.current().resolve(NVIDIA, NODE, "gpu-0") != null);
      Await.until("the relist's 404", WAIT, () -> metrics.resourceSliceWatchErrors() >= 1);
      assertThat(slices.current()).isNotSameAs(DraDevices.NOT_SERVED);
      assertThat(slices.current().resolve(NVIDIA, NODE, "gpu-0")).isEqualTo(new DeviceId.Uuid(GPU0));
    }
  }

  /** Without the RBAC rule: counted, warned about once with the fix, and retried. */
  @Test
  void aForbiddenListIsCountedWarnedAboutOnceAndRetried() {
    startApiServerAnsweringTheList(403, "Forbidden");
    try (LogCapture log = LogCapture.of(ResourceSliceWatcher.class);
        ResourceSliceWatcher slices = ResourceSliceWatcher.start(client, NODE, metrics)) {
      Await.until("two failed lists", WAIT, () -> metrics.resourceSliceWatchErrors() >= 2);
      assertThat(slices.current().known()).isFalse();
      assertThat(log.messages()).singleElement().asString().contains("403")
          .contains("list and watch on resourceslices in the resource.k8s.io API group");
    }
  }
}
