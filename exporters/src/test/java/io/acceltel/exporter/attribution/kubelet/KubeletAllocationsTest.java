package io.acceltel.exporter.attribution.kubelet;

import static io.acceltel.exporter.attribution.kubelet.FakeKubelet.container;
import static io.acceltel.exporter.attribution.kubelet.FakeKubelet.devices;
import static io.acceltel.exporter.attribution.kubelet.FakeKubelet.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.acceltel.exporter.attribution.AllocationMap;
import io.acceltel.exporter.attribution.AttributionMetrics;
import io.acceltel.exporter.attribution.ContainerRef;
import io.acceltel.exporter.attribution.KubernetesAttributor;
import io.acceltel.exporter.attribution.ResourceNames;
import io.acceltel.exporter.attribution.dra.DraDevices;
import io.acceltel.exporter.attribution.dra.DraFixtures;
import io.acceltel.exporter.attribution.kubelet.v1.ClaimResource;
import io.acceltel.exporter.attribution.kubelet.v1.ContainerResources;
import io.acceltel.exporter.attribution.kubelet.v1.DynamicResource;
import io.acceltel.exporter.attribution.pods.PodLabelIndex;
import io.acceltel.model.testing.Await;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.snapshot.Attribution;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.Reading;
import io.acceltel.model.snapshot.Vendor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The kubelet poller against a real PodResourcesLister gRPC server on a unix socket. */
class KubeletAllocationsTest {
  static final String GPU0 = "GPU-00000000-aaaa-bbbb-cccc-000000000000";
  static final String GPU1 = "GPU-00000000-aaaa-bbbb-cccc-000000000001";
  static final String GPU2 = "GPU-00000000-aaaa-bbbb-cccc-000000000002";
  static final String MIG = "MIG-11111111-aaaa-bbbb-cccc-000000000000";

  Path dir;
  Path socket;
  FakeKubelet kubelet;
  final AtomicLong clock = new AtomicLong(1_000_000_000L);
  final Map<String, Integer> errors = new ConcurrentHashMap<>();
  final AttributionMetrics metrics = new AttributionMetrics() {
    @Override
    public void kubeletError(String call, String code) {
      errors.merge(call + "/" + code, 1, Integer::sum);
    }

    @Override
    public void podWatchError() {}
  };

  @BeforeEach
  void startKubelet() throws IOException {
    // A unix socket path must stay under 108 bytes, so not in a deep build directory.
    dir = Files.createTempDirectory(Path.of("/tmp"), "k");
    socket = dir.resolve("kubelet.sock");
    kubelet = new FakeKubelet(socket).start();
  }

  @AfterEach
  void stopKubelet() throws IOException {
    kubelet.close();
    Files.deleteIfExists(socket);
    Files.deleteIfExists(dir);
  }

  KubeletAllocations poller() {
    return poller(() -> DraDevices.NOT_SERVED);
  }

  KubeletAllocations poller(Supplier<DraDevices> slices) {
    return new KubeletAllocations(new PodResourcesClient(socket), ResourceNames.of(ResourceNames.DEFAULT),
        slices, Duration.ofMillis(100), metrics, clock::get);
  }

  /**
   * A first answer that names DRA claims waits for the ResourceSlices (up to DRA_SLICES_WAIT): published without
   * them, it would call the claimed GPU free, and the claim's pod would get its labels only on a later tick.
   */
  @Test
  void aFirstAnswerWithDraClaimsWaitsForTheResourceSlices() {
    kubelet.answer(pod("team-llm", "tj-dra-0", ContainerResources.newBuilder().setName("pytorch")
        .addDynamicResources(DynamicResource.newBuilder().setClaimName("gpu").setClaimNamespace("team-llm")
            .addClaimResources(ClaimResource.newBuilder().setDriverName("gpu.nvidia.com").setPoolName("node-a")
                .setDeviceName("gpu-0")))
        .build()));
    AtomicReference<DraDevices> slices = new AtomicReference<>(DraDevices.UNKNOWN);
    try (KubeletAllocations k = poller(slices::get)) {
      assertThat(k.refresh()).isTrue();
      assertThat(k.current().known()).as("held back while the slices are unknown").isFalse();

      slices.set(DraFixtures.gpu0Is("node-a", GPU0));
      k.refresh();
      assertThat(k.current().holder(gpu(0, GPU0)))
          .isEqualTo(new ContainerRef("team-llm", "tj-dra-0", "pytorch"));
    }
    slices.set(DraDevices.UNKNOWN);
    try (KubeletAllocations k = poller(slices::get)) {
      k.refresh();
      clock.addAndGet(KubeletAllocations.DRA_SLICES_WAIT.toNanos());
      k.refresh();
      assertThat(k.current().known()).as("published after the wait, without the DRA join").isTrue();
      assertThat(k.current().holder(gpu(0, GPU0))).isNull();
    }
  }

  static DeviceSnapshot gpu(int index, String uuid, Reading... readings) {
    return new DeviceSnapshot(new DeviceIdentity(index, uuid, "NVIDIA H100 80GB HBM3", Vendor.NVIDIA), false,
        List.of(readings), Attribution.NONE);
  }

  static DeviceSnapshot npu(int physicalId) {
    return new DeviceSnapshot(new DeviceIdentity(physicalId, "vdie-" + physicalId, "Ascend910B3", Vendor.HUAWEI),
        false, List.of(), Attribution.NONE);
  }

  @Test
  void mapsFullGpusMigInstancesTimeSlicedReplicasAndNpus() {
    kubelet.answer(
        pod("team-llm", "trainer-0", container("pytorch", devices("nvidia.com/gpu", GPU0))),
        pod("serve", "infer-a", container("server", devices("nvidia.com/mig-1g.10gb", MIG))),
        pod("shared", "notebook-b", container("jupyter", devices("nvidia.com/gpu", GPU2 + "::1"))),
        pod("shared", "notebook-a", container("jupyter", devices("nvidia.com/gpu", GPU2 + "::0"))),
        pod("npu", "mindspore-0", container("main", devices("huawei.com/Ascend910", "Ascend910-3"))),
        pod("other", "fpga", container("x", devices("example.com/fpga", GPU1))));
    kubelet.allocatable(devices("nvidia.com/gpu", GPU0, GPU2 + "::0", GPU2 + "::1"),
        devices("huawei.com/Ascend910", "Ascend910-3"));

    try (KubeletAllocations k = poller()) {
      assertThat(k.refresh()).isTrue();
      AllocationMap map = k.current();

      assertThat(map.holder(gpu(0, GPU0))).isEqualTo(new ContainerRef("team-llm", "trainer-0", "pytorch"));
      Reading migInfo = new Reading(MetricCatalog.MIG_INFO, List.of(MIG, "1", "0", "1g.10gb"), 1);
      assertThat(map.holder(gpu(1, GPU1, migInfo))).isEqualTo(new ContainerRef("serve", "infer-a", "server"));
      assertThat(map.holder(gpu(2, GPU2))).isEqualTo(new ContainerRef("shared", "notebook-a", "jupyter"));
      assertThat(map.holder(npu(3))).isEqualTo(new ContainerRef("npu", "mindspore-0", "main"));
      // A resource name outside the allowlist is not attributed, even with a GPU-looking ID.
      assertThat(map.holder(gpu(1, GPU1))).isNull();
      assertThat(map.allocatable(gpu(0, GPU0))).isTrue();
      assertThat(map.allocatable(npu(3))).isTrue();
      assertThat(map.allocatable(gpu(1, GPU1))).isFalse();
    }
  }

  @Test
  void podsComingAndGoingMoveTheLabelsAtTheNextRefresh() {
    try (KubeletAllocations k = poller()) {
      KubernetesAttributor attributor = new KubernetesAttributor(k::current, () -> PodLabelIndex.EMPTY);
      kubelet.answer(pod("ns", "job-1", container("c", devices("nvidia.com/gpu", GPU0))));
      k.refresh();
      assertThat(attributor.attribute(gpu(0, GPU0)).attribution().get("pod")).isEqualTo("job-1");

      kubelet.answer();
      k.refresh();
      DeviceSnapshot freed = attributor.attribute(gpu(0, GPU0));
      assertThat(freed.attribution().isEmpty()).isTrue();
      assertThat(freed.readings()).contains(new Reading(MetricCatalog.ALLOCATED, List.of(), 0));

      kubelet.answer(pod("ns", "job-2", container("c", devices("nvidia.com/gpu", GPU0))));
      k.refresh();
      DeviceSnapshot taken = attributor.attribute(gpu(0, GPU0));
      assertThat(taken.attribution().get("pod")).isEqualTo("job-2");
      assertThat(taken.readings()).contains(new Reading(MetricCatalog.ALLOCATED, List.of(), 1));
    }
  }

  @Test
  void whileTheKubeletIsDownTheLastMappingStaysAndErrorsAndStalenessShow() throws IOException {
    kubelet.answer(pod("ns", "job-1", container("c", devices("nvidia.com/gpu", GPU0))));
    try (KubeletAllocations k = poller()) {
      assertThat(k.refresh()).isTrue();
      assertThat(k.stalenessSeconds()).isZero();

      kubelet.stop();
      clock.addAndGet(5_000_000_000L);
      assertThat(k.refresh()).isFalse();

      assertThat(k.current().holder(gpu(0, GPU0))).isEqualTo(new ContainerRef("ns", "job-1", "c"));
      assertThat(errors).containsEntry("List/UNAVAILABLE", 1);
      assertThat(k.stalenessSeconds()).isEqualTo(5.0);

      // The kubelet restarts on the same socket (the directory is mounted, not the file): the channel reconnects.
      kubelet.answer(pod("ns", "job-2", container("c", devices("nvidia.com/gpu", GPU0))));
      kubelet.start();
      Await.until("the poller to reach the restarted kubelet", Duration.ofSeconds(10), k::refresh);
      assertThat(k.current().holder(gpu(0, GPU0))).isEqualTo(new ContainerRef("ns", "job-2", "c"));
      assertThat(k.stalenessSeconds()).isZero();
    }
  }

  @Test
  void attributeAnswersAtOnceWhileTheKubeletStalls() {
    kubelet.answer(pod("ns", "job-1", container("c", devices("nvidia.com/gpu", GPU0))));
    try (KubeletAllocations k = KubeletAllocations.start(new PodResourcesClient(socket),
        ResourceNames.of(ResourceNames.DEFAULT), () -> DraDevices.NOT_SERVED, Duration.ofMillis(100), metrics)) {
      Await.until("the first mapping", Duration.ofSeconds(10), () -> k.current().known());
      kubelet.stallList();
      Await.until("a List call to hang in the kubelet", Duration.ofSeconds(10), () -> kubelet.stalledCalls.get() > 0);
      KubernetesAttributor attributor = new KubernetesAttributor(k::current, () -> PodLabelIndex.EMPTY);

      // The poller thread is stuck inside List; the tick thread still answers from memory, with the last mapping.
      DeviceSnapshot d = assertTimeoutPreemptively(Duration.ofSeconds(1), () -> attributor.attribute(gpu(0, GPU0)));
      assertThat(d.attribution().get("pod")).isEqualTo("job-1");

      // The stalled call ends at its deadline and counts as an error.
      Await.until("the deadline to count", Duration.ofSeconds(10),
          () -> errors.getOrDefault("List/DEADLINE_EXCEEDED", 0) > 0);
      kubelet.release();
    }
  }
}
