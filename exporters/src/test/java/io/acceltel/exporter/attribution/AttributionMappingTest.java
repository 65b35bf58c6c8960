package io.acceltel.exporter.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.attribution.pods.PodLabelIndex;
import io.acceltel.exporter.exposition.NativeNameView;
import io.acceltel.model.otlp.OtlpEncoder;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.snapshot.Attribution;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.Reading;
import io.acceltel.model.snapshot.Vendor;
import io.acceltel.model.testing.LogCapture;
import io.acceltel.exporter.attribution.dra.DraDevices;
import io.acceltel.exporter.attribution.dra.DraFixtures;
import io.acceltel.exporter.attribution.kubelet.PodResourcesMapping;
import io.acceltel.exporter.attribution.kubelet.v1.AllocatableResourcesResponse;
import io.acceltel.exporter.attribution.kubelet.v1.ClaimResource;
import io.acceltel.exporter.attribution.kubelet.v1.ContainerDevices;
import io.acceltel.exporter.attribution.kubelet.v1.ContainerResources;
import io.acceltel.exporter.attribution.kubelet.v1.DynamicResource;
import io.acceltel.exporter.attribution.kubelet.v1.ListPodResourcesResponse;
import io.acceltel.exporter.attribution.kubelet.v1.PodResources;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Device IDs as the kubelet reports them, joined with device identities and pod labels on the tick path. */
class AttributionMappingTest {
  static final String GPU0 = "GPU-8d30c9b5-1e2f-4a3b-9c7d-000000000000";
  static final String GPU1 = "GPU-8d30c9b5-1e2f-4a3b-9c7d-000000000001";
  static final String MIG_A = "MIG-4f1c2a3b-0000-5555-8888-aaaaaaaaaaaa";
  static final String MIG_B = "MIG-4f1c2a3b-0000-5555-8888-bbbbbbbbbbbb";

  static DeviceSnapshot nvidia(int index, String uuid, Reading... readings) {
    return new DeviceSnapshot(new DeviceIdentity(index, uuid, "NVIDIA H100 80GB HBM3", Vendor.NVIDIA), false,
        List.of(readings), Attribution.NONE);
  }

  static DeviceSnapshot ascend(int physicalId) {
    return new DeviceSnapshot(new DeviceIdentity(physicalId, "vdie-" + physicalId, "Ascend910B3", Vendor.HUAWEI),
        false, List.of(), Attribution.NONE);
  }

  static Reading migInfo(String migUuid, String gi) {
    return new Reading(MetricCatalog.MIG_INFO, List.of(migUuid, gi, "0", "1g.10gb"), 1);
  }

  static double allocated(DeviceSnapshot d) {
    return value(d, MetricCatalog.ALLOCATED);
  }

  static double holders(DeviceSnapshot d) {
    return value(d, MetricCatalog.HOLDERS);
  }

  private static double value(DeviceSnapshot d, io.acceltel.model.catalog.MetricDefinition metric) {
    return d.readings().stream().filter(r -> r.metric() == metric).mapToDouble(Reading::value).findFirst()
        .orElse(Double.NaN);
  }

  @Test
  void reducesEveryDeviceIdFormTheDevicePluginsUse() {
    assertThat(DeviceId.parse("nvidia.com/gpu", GPU0)).isEqualTo(new DeviceId.Uuid(GPU0));
    assertThat(DeviceId.parse("nvidia.com/gpu", GPU0 + "::3")).isEqualTo(new DeviceId.Uuid(GPU0));
    assertThat(DeviceId.parse("nvidia.com/mig-1g.10gb", MIG_A)).isEqualTo(new DeviceId.Uuid(MIG_A));
    assertThat(DeviceId.parse("nvidia.com/mig-1g.10gb", "MIG-" + GPU0 + "/7/0")).isEqualTo(new DeviceId.Uuid(GPU0));
    assertThat(DeviceId.parse("huawei.com/Ascend910", "Ascend910-3")).isEqualTo(new DeviceId.AscendPhysical(3));
    assertThat(DeviceId.parse("huawei.com/Ascend310P", "Ascend310P-12")).isEqualTo(new DeviceId.AscendPhysical(12));
    assertThat(DeviceId.parse("huawei.com/Ascend910", "Ascend910-2c-100-5"))
        .isEqualTo(new DeviceId.AscendPhysical(5));
    assertThat(DeviceId.parse("huawei.com/Ascend910-2c", "Ascend910-2c.1cpu.8gb-7-3"))
        .isEqualTo(new DeviceId.AscendPhysical(3));
    // 310P share mode: the physical ID, then a replica index (reference/dcmi.md 4.7), not the other way round.
    assertThat(DeviceId.parse("huawei.com/Ascend310P", "Ascend310P-0-99")).isEqualTo(new DeviceId.AscendPhysical(0));
    assertThat(DeviceId.parse("huawei.com/Ascend310P", "Ascend310P-2-3")).isEqualTo(new DeviceId.AscendPhysical(2));
    assertThat(DeviceId.parse("huawei.com/Ascend910", "garbage")).isNull();
    assertThat(DeviceId.parse("nvidia.com/gpu", "")).isNull();
  }

  @Test
  void resourceNamesMatchExactlyOrByPrefix() {
    ResourceNames names = ResourceNames.of(ResourceNames.DEFAULT);
    assertThat(names.matches("nvidia.com/gpu")).isTrue();
    assertThat(names.matches("nvidia.com/mig-3g.40gb")).isTrue();
    assertThat(names.matches("huawei.com/Ascend910")).isTrue();
    assertThat(names.matches("huawei.com/Ascend310P")).isTrue();
    assertThat(names.matches("nvidia.com/gpu.shared")).as("time-slicing or MPS with renameByDefault").isTrue();
    assertThat(names.matches("huawei.com/npu")).isTrue();
    assertThat(names.matches("nvidia.com/gpu-typo")).isFalse();
    assertThat(names.matches("example.com/fpga")).isFalse();
  }

  @Test
  void fullGpuGetsItsContainerAndPodLabelsAndAllocatedOne() {
    AllocationMap map = AllocationMap.builder()
        .allocate(new DeviceId.Uuid(GPU0), new ContainerRef("team-llm", "tj-a-worker-0", "pytorch"))
        .build();
    PodLabelIndex pods = PodLabelIndex.of(Map.of("team-llm/tj-a-worker-0",
        Map.of("tenant_id", "12027394361880000", "job_name", "tj-a")));
    KubernetesAttributor attributor = new KubernetesAttributor(() -> map, () -> pods);

    DeviceSnapshot held = attributor.attribute(nvidia(0, GPU0));
    DeviceSnapshot free = attributor.attribute(nvidia(1, GPU1));

    assertThat(held.attribution().labelNames()).startsWith("namespace", "pod", "container");
    assertThat(held.attribution().get("pod")).isEqualTo("tj-a-worker-0");
    assertThat(held.attribution().get("tenant_id")).isEqualTo("12027394361880000");
    assertThat(held.attribution().get("job_name")).isEqualTo("tj-a");
    assertThat(allocated(held)).isEqualTo(1);
    assertThat(free.attribution().isEmpty()).isTrue();
    assertThat(allocated(free)).isEqualTo(0);
  }

  /**
   * The kubelet goes on listing a finished (Succeeded, Failed) pod's devices while a new pod holds them: the new pod
   * gets the labels even when the old one sorts first, and a device only a finished pod lists is free.
   */
  @Test
  void finishedPodsThatTheKubeletStillListsArePassedOver() {
    ContainerRef finished = new ContainerRef("team-a", "a-job-worker-0", "pytorch");
    ContainerRef running = new ContainerRef("team-b", "b-job-worker-0", "pytorch");
    AllocationMap map = AllocationMap.builder()
        .allocate(new DeviceId.Uuid(GPU0), running)
        .allocate(new DeviceId.Uuid(GPU0), finished)
        .allocate(new DeviceId.Uuid(GPU1), finished)
        .build();
    PodLabelIndex pods = PodLabelIndex.of(Map.of("team-a/a-job-worker-0", Map.of("tenant_id", "a"),
        "team-b/b-job-worker-0", Map.of("tenant_id", "b")), Set.of("team-a/a-job-worker-0"));
    KubernetesAttributor attributor = new KubernetesAttributor(() -> map, () -> pods);

    DeviceSnapshot gpu0 = attributor.attribute(nvidia(0, GPU0));
    assertThat(gpu0.attribution().get("tenant_id")).isEqualTo("b");
    assertThat(allocated(gpu0)).isEqualTo(1);
    assertThat(holders(gpu0)).as("the finished pod does not count").isEqualTo(1);
    DeviceSnapshot gpu1 = attributor.attribute(nvidia(1, GPU1));
    assertThat(gpu1.attribution().isEmpty()).isTrue();
    assertThat(allocated(gpu1)).as("only a finished pod lists it").isEqualTo(0);
    assertThat(holders(gpu1)).isEqualTo(0);
    assertThat(map.holder(nvidia(0, GPU0))).as("without pod phases, the smallest holder").isEqualTo(finished);
  }

  /**
   * Time-slicing: the kubelet lists one replica id per pod. The GPU's series name the first holder, and
   * accelerator_holders says how many share it; a container listed under two replicas counts once.
   */
  @Test
  void aTimeSlicedGpuCountsItsHolders() {
    AllocationMap map = AllocationMap.builder()
        .allocate(DeviceId.parse("nvidia.com/gpu", GPU0 + "::0"), new ContainerRef("serve", "infer-b", "server"))
        .allocate(DeviceId.parse("nvidia.com/gpu", GPU0 + "::1"), new ContainerRef("serve", "infer-a", "server"))
        .allocate(DeviceId.parse("nvidia.com/gpu", GPU0 + "::2"), new ContainerRef("serve", "infer-a", "server"))
        .allocate(DeviceId.parse("nvidia.com/gpu", GPU0 + "::3"), new ContainerRef("lab", "notebook", "jupyter"))
        .build();
    KubernetesAttributor attributor = new KubernetesAttributor(() -> map, () -> PodLabelIndex.EMPTY);
    DeviceSnapshot shared = attributor.attribute(nvidia(0, GPU0));
    assertThat(shared.attribution().get("pod")).isEqualTo("notebook");
    assertThat(holders(shared)).isEqualTo(3);
    assertThat(holders(attributor.attribute(nvidia(1, GPU1)))).isEqualTo(0);
  }

  /** A device whose read was late this tick keeps its holder's labels but gets no reading, allocation included. */
  @Test
  void anUnreadDeviceIsAttributedWithoutReadings() {
    AllocationMap map = AllocationMap.builder()
        .allocate(new DeviceId.Uuid(GPU0), new ContainerRef("team-llm", "tj-a-worker-0", "pytorch"))
        .build();
    KubernetesAttributor attributor = new KubernetesAttributor(() -> map, () -> PodLabelIndex.of(Map.of()));
    DeviceSnapshot late = attributor.attribute(DeviceSnapshot.unread(
        new DeviceIdentity(0, GPU0, "NVIDIA H100 80GB HBM3", Vendor.NVIDIA)));
    assertThat(late.unread()).isTrue();
    assertThat(late.readings()).isEmpty();
    assertThat(late.attribution().get("pod")).isEqualTo("tj-a-worker-0");
  }

  @Test
  void aMigInstanceAttributesItsParentGpuThroughTheMigInfoReadings() {
    AllocationMap map = AllocationMap.builder()
        .allocate(DeviceId.parse("nvidia.com/mig-1g.10gb", MIG_B), new ContainerRef("ns", "infer-b", "server"))
        .allocate(DeviceId.parse("nvidia.com/mig-1g.10gb", MIG_A), new ContainerRef("ns", "infer-a", "server"))
        .build();
    KubernetesAttributor attributor = new KubernetesAttributor(() -> map, () -> PodLabelIndex.EMPTY);

    DeviceSnapshot parent = attributor.attribute(nvidia(0, GPU0, migInfo(MIG_B, "2"), migInfo(MIG_A, "1")));
    DeviceSnapshot other = attributor.attribute(nvidia(1, GPU1, migInfo("MIG-not-held", "1")));

    // Two instances, two pods: the smallest holder names the GPU, whatever the order of the readings.
    assertThat(parent.attribution().get("pod")).isEqualTo("infer-a");
    assertThat(allocated(parent)).isEqualTo(1);
    assertThat(holders(parent)).as("one pod per instance").isEqualTo(2);
    assertThat(allocated(other)).isEqualTo(0);
    assertThat(holders(other)).isEqualTo(0);
  }

  /** A lost MIG GPU reports no instances: its lost and XID series keep the holder it had, not "free". */
  @Test
  void aLostMigGpuKeepsItsHolderWhileItCannotNameItsInstances() {
    AllocationMap map = AllocationMap.builder()
        .allocate(DeviceId.parse("nvidia.com/mig-1g.10gb", MIG_A), new ContainerRef("ns", "infer-a", "server"))
        .build();
    KubernetesAttributor attributor = new KubernetesAttributor(() -> map, () -> PodLabelIndex.EMPTY);
    assertThat(attributor.attribute(nvidia(0, GPU0, migInfo(MIG_A, "1"))).attribution().get("pod"))
        .isEqualTo("infer-a");

    DeviceSnapshot lost = attributor.attribute(new DeviceSnapshot(
        new DeviceIdentity(0, GPU0, "NVIDIA H100 80GB HBM3", Vendor.NVIDIA), true,
        List.of(new Reading(MetricCatalog.DEVICE_LOST, List.of(), 1)), Attribution.NONE));
    assertThat(lost.attribution().get("pod")).isEqualTo("infer-a");
    assertThat(allocated(lost)).isEqualTo(1);

    DeviceSnapshot back = attributor.attribute(nvidia(0, GPU0));
    assertThat(allocated(back)).as("answering again without the instance: free").isEqualTo(0);
  }

  /** A pod re-created under its name on another GPU's instance no longer names the lost GPU it held before. */
  @Test
  void aLostMigGpuWhoseHolderMovedToAnotherGpuNamesNobody() {
    ContainerRef inferA = new ContainerRef("ns", "infer-a", "server");
    AtomicReference<AllocationMap> map = new AtomicReference<>(AllocationMap.builder()
        .allocate(DeviceId.parse("nvidia.com/mig-1g.10gb", MIG_A), inferA).build());
    KubernetesAttributor attributor = new KubernetesAttributor(map::get, () -> PodLabelIndex.EMPTY);
    attributor.attribute(nvidia(0, GPU0, migInfo(MIG_A, "1")));
    map.set(AllocationMap.builder().allocate(DeviceId.parse("nvidia.com/mig-1g.10gb", MIG_B), inferA).build());
    DeviceSnapshot lost = attributor.attribute(new DeviceSnapshot(
        new DeviceIdentity(0, GPU0, "NVIDIA H100 80GB HBM3", Vendor.NVIDIA), true,
        List.of(new Reading(MetricCatalog.DEVICE_LOST, List.of(), 1)), Attribution.NONE));
    assertThat(lost.attribution().get("pod")).isNull();
    assertThat(allocated(lost)).isEqualTo(0);
  }

  /** A late read of a MIG GPU has no instances to join on either: its series keep their holder for the tick. */
  @Test
  void aLateMigGpuKeepsItsHolderForTheTick() {
    AllocationMap map = AllocationMap.builder()
        .allocate(DeviceId.parse("nvidia.com/mig-1g.10gb", MIG_A), new ContainerRef("ns", "infer-a", "server"))
        .build();
    KubernetesAttributor attributor = new KubernetesAttributor(() -> map, () -> PodLabelIndex.EMPTY);
    attributor.attribute(nvidia(0, GPU0, migInfo(MIG_A, "1")));
    DeviceSnapshot late = attributor.attribute(DeviceSnapshot.unread(
        new DeviceIdentity(0, GPU0, "NVIDIA H100 80GB HBM3", Vendor.NVIDIA)));
    assertThat(late.attribution().get("pod")).isEqualTo("infer-a");
  }

  /**
   * The pod of a lost GPU fails and is deleted: the GPU is then free and names nobody, in its lost and XID series
   * too, so that an alert does not go to the departed pod's tenant.
   */
  @Test
  void aLostGpuWhosePodIsGoneNamesNobody() {
    AtomicReference<AllocationMap> map = new AtomicReference<>(AllocationMap.builder()
        .allocate(new DeviceId.Uuid(GPU0), new ContainerRef("team-llm", "tj-a-worker-0", "pytorch"))
        .build());
    KubernetesAttributor attributor = new KubernetesAttributor(map::get, () -> PodLabelIndex.of(Map.of()));
    assertThat(attributor.attribute(nvidia(0, GPU0)).attribution().get("pod")).isEqualTo("tj-a-worker-0");
    DeviceSnapshot lostGpu = new DeviceSnapshot(new DeviceIdentity(0, GPU0, "NVIDIA H100 80GB HBM3", Vendor.NVIDIA),
        true, List.of(new Reading(MetricCatalog.DEVICE_LOST, List.of(), 1)), Attribution.NONE);
    assertThat(attributor.attribute(lostGpu).attribution().get("pod")).as("while the pod holds it")
        .isEqualTo("tj-a-worker-0");

    map.set(AllocationMap.builder().build());
    DeviceSnapshot lost = attributor.attribute(lostGpu);
    assertThat(lost.attribution().get("pod")).isNull();
    assertThat(allocated(lost)).isEqualTo(0);
  }

  /**
   * Each MIG instance's series name the pod that holds that instance, in /metrics and in the Kafka payload alike, so
   * one tenant's MIG memory is never labelled as another's; the GPU's own series keep the smallest holder.
   */
  @Test
  void aMigInstancesSeriesCarryTheHolderOfThatInstance() {
    String free = "MIG-4f1c2a3b-0000-5555-8888-cccccccccccc";
    AllocationMap map = AllocationMap.builder()
        .allocate(DeviceId.parse("nvidia.com/mig-1g.10gb", MIG_B), new ContainerRef("team-b", "infer-b", "server"))
        .allocate(DeviceId.parse("nvidia.com/mig-1g.10gb", MIG_A), new ContainerRef("team-a", "infer-a", "server"))
        .build();
    KubernetesAttributor attributor = new KubernetesAttributor(() -> map, () -> PodLabelIndex.EMPTY);
    DeviceSnapshot gpu = attributor.attribute(nvidia(0, GPU0, migInfo(MIG_A, "1"), migInfo(MIG_B, "2"),
        migInfo(free, "3"), migMemory(MIG_A, "1", 1e9), migMemory(MIG_B, "2", 2e9), migMemory(free, "3", 0),
        new Reading(MetricCatalog.POWER, List.of(), 350)));
    NodeSnapshot tick = new NodeSnapshot("node-a", 1_795_349_100_000L, List.of(gpu));

    MetricSnapshots scraped = new NativeNameView().render(tick);
    Map<String, String> podByInstance = new HashMap<>();
    for (DataPointSnapshot p : family(scraped, "accelerator_mig_memory_used_bytes").getDataPoints()) {
      podByInstance.put(p.getLabels().get("mig_uuid"), String.valueOf(p.getLabels().get("namespace")) + "/"
          + p.getLabels().get("pod"));
    }
    assertThat(podByInstance).containsExactlyInAnyOrderEntriesOf(Map.of(MIG_A, "team-a/infer-a",
        MIG_B, "team-b/infer-b", free, "null/null"));
    assertThat(family(scraped, "accelerator_power_watts").getDataPoints().get(0).getLabels().get("pod"))
        .as("the whole GPU: its smallest holder").isEqualTo("infer-a");

    Map<String, String> podInPayload = new HashMap<>();
    for (Metric m : new OtlpEncoder("test").request(tick).getResourceMetrics(0).getScopeMetrics(0).getMetricsList()) {
      if (m.getName().equals("accelerator_mig_memory_used_bytes")) {
        for (NumberDataPoint p : m.getGauge().getDataPointsList()) {
          Map<String, String> attributes = new HashMap<>();
          p.getAttributesList().forEach(kv -> attributes.put(kv.getKey(), kv.getValue().getStringValue()));
          podInPayload.put(attributes.get("mig_uuid"), attributes.get("namespace") + "/" + attributes.get("pod"));
        }
      }
    }
    assertThat(podInPayload).isEqualTo(podByInstance);
  }

  /**
   * A new pod that becomes a MIG-split GPU's smallest holder waits for its labels on the GPU-wide series; the other
   * instances' tenants keep theirs meanwhile, so their series do not split.
   */
  @Test
  void aNewSmallestHolderOfAMigGpuDoesNotStripTheOtherInstancesLabels() {
    ContainerRef tenantB = new ContainerRef("team-b", "infer-b", "server");
    AtomicReference<AllocationMap> kubelet = new AtomicReference<>(AllocationMap.builder()
        .allocate(DeviceId.parse("nvidia.com/mig-1g.10gb", MIG_B), tenantB).build());
    AtomicReference<PodLabelIndex> watch = new AtomicReference<>(
        PodLabelIndex.of(Map.of("team-b/infer-b", Map.of("tenant_id", "b"))));
    AtomicLong nanos = new AtomicLong();
    KubernetesAttributor attributor = new KubernetesAttributor(kubelet::get, watch::get, Duration.ofSeconds(10),
        nanos::get);
    DeviceSnapshot before = attributor.attribute(nvidia(0, GPU0, migInfo(MIG_A, "1"), migInfo(MIG_B, "2")));
    assertThat(before.instanceAttributions().get(MIG_B).get("tenant_id")).isEqualTo("b");

    kubelet.set(AllocationMap.builder().allocate(DeviceId.parse("nvidia.com/mig-1g.10gb", MIG_B), tenantB)
        .allocate(DeviceId.parse("nvidia.com/mig-1g.10gb", MIG_A), new ContainerRef("team-a", "new-pod", "main"))
        .build());
    nanos.set(Duration.ofSeconds(1).toNanos());
    DeviceSnapshot waiting = attributor.attribute(nvidia(0, GPU0, migInfo(MIG_A, "1"), migInfo(MIG_B, "2")));
    assertThat(waiting.attribution()).as("the GPU-wide series wait for the new holder").isEqualTo(Attribution.NONE);
    assertThat(waiting.instanceAttributions().get(MIG_B).get("tenant_id")).isEqualTo("b");
    assertThat(waiting.instanceAttributions().get(MIG_A)).isEqualTo(Attribution.NONE);
  }

  /**
   * A holder the pod watch has not delivered yet (a new pod, or the exporter's own start) does not split a free
   * device's series: it stays free until the pod's labels arrive. A device handed over from another pod says nothing
   * meanwhile, never the other pod's labels. After the wait it is attributed with what is known.
   */
  @Test
  void aNewHoldersSeriesWaitForItsPodLabelsInsteadOfSplitting() {
    ContainerRef worker = new ContainerRef("team-a", "train-0", "main");
    AtomicReference<AllocationMap> kubelet = new AtomicReference<>(AllocationMap.builder().build());
    AtomicReference<PodLabelIndex> watch = new AtomicReference<>(PodLabelIndex.EMPTY);
    AtomicLong nanos = new AtomicLong();
    KubernetesAttributor attributor = new KubernetesAttributor(kubelet::get, watch::get, Duration.ofSeconds(10),
        nanos::get);

    assertThat(allocated(attributor.attribute(nvidia(0, GPU0)))).isEqualTo(0);
    kubelet.set(AllocationMap.builder().allocate(DeviceId.parse("nvidia.com/gpu", GPU0), worker)
        .allocate(DeviceId.parse("nvidia.com/gpu", GPU1), worker).build());
    nanos.set(Duration.ofSeconds(1).toNanos());
    DeviceSnapshot waiting = attributor.attribute(nvidia(0, GPU0));
    assertThat(allocated(waiting)).as("still as on the last tick").isEqualTo(0);
    assertThat(waiting.attribution()).isEqualTo(Attribution.NONE);
    assertThat(attributor.attribute(nvidia(1, GPU1)).readings()).as("a device with no tick before: nothing said yet")
        .isEmpty();

    watch.set(PodLabelIndex.of(Map.of("team-a/train-0", Map.of("tenant_id", "t-7"))));
    DeviceSnapshot labelled = attributor.attribute(nvidia(0, GPU0));
    assertThat(allocated(labelled)).isEqualTo(1);
    assertThat(labelled.attribution().labelNames()).containsExactly("namespace", "pod", "container", "tenant_id");

    ContainerRef late = new ContainerRef("team-b", "train-1", "main");
    kubelet.set(AllocationMap.builder().allocate(DeviceId.parse("nvidia.com/gpu", GPU0), late).build());
    nanos.set(Duration.ofSeconds(20).toNanos());
    DeviceSnapshot handedOver = attributor.attribute(nvidia(0, GPU0));
    assertThat(handedOver.attribution()).as("never the previous holder's (another tenant's) labels")
        .isEqualTo(Attribution.NONE);
    assertThat(handedOver.readings()).as("nothing said yet").isEmpty();
    nanos.set(Duration.ofSeconds(30).toNanos());
    DeviceSnapshot givenUp = attributor.attribute(nvidia(0, GPU0));
    assertThat(givenUp.attribution().labelNames()).as("after the wait: what is known")
        .containsExactly("namespace", "pod", "container");
    assertThat(givenUp.attribution().get("pod")).isEqualTo("train-1");

    // train-1 goes, and a pod of the same name comes back (a StatefulSet): it waits afresh, from a free device.
    kubelet.set(AllocationMap.builder().build());
    assertThat(allocated(attributor.attribute(nvidia(0, GPU0)))).isEqualTo(0);
    kubelet.set(AllocationMap.builder().allocate(DeviceId.parse("nvidia.com/gpu", GPU0), late).build());
    nanos.set(Duration.ofSeconds(31).toNanos());
    assertThat(allocated(attributor.attribute(nvidia(0, GPU0)))).as("free until its labels arrive").isEqualTo(0);
  }

  static Reading migMemory(String migUuid, String gi, double bytes) {
    return new Reading(MetricCatalog.MIG_MEMORY_USED, List.of(migUuid, gi), bytes);
  }

  static MetricSnapshot family(MetricSnapshots all, String name) {
    return all.stream().filter(s -> s.getMetadata().getPrometheusName().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void sharedGpuNamesTheSmallestHolderWhateverTheListOrder() {
    ContainerRef b = new ContainerRef("ns", "pod-b", "c");
    ContainerRef a = new ContainerRef("ns", "pod-a", "c");
    AllocationMap ab = AllocationMap.builder().allocate(DeviceId.parse("nvidia.com/gpu", GPU0 + "::1"), b)
        .allocate(DeviceId.parse("nvidia.com/gpu", GPU0 + "::0"), a).build();
    AllocationMap ba = AllocationMap.builder().allocate(DeviceId.parse("nvidia.com/gpu", GPU0 + "::0"), a)
        .allocate(DeviceId.parse("nvidia.com/gpu", GPU0 + "::1"), b).build();

    assertThat(ab.holder(nvidia(0, GPU0))).isEqualTo(a);
    assertThat(ba.holder(nvidia(0, GPU0))).isEqualTo(a);
  }

  @Test
  void ascendNpuMatchesByPhysicalIdOnlyForHuaweiDevices() {
    AllocationMap map = AllocationMap.builder()
        .allocate(DeviceId.parse("huawei.com/Ascend910", "Ascend910-3"), new ContainerRef("ns", "npu-job", "main"))
        .build();
    KubernetesAttributor attributor = new KubernetesAttributor(() -> map, () -> PodLabelIndex.EMPTY);

    assertThat(attributor.attribute(ascend(3)).attribution().get("pod")).isEqualTo("npu-job");
    assertThat(allocated(attributor.attribute(ascend(2)))).isEqualTo(0);
    // An NVIDIA device with index 3 is not Ascend910-3.
    assertThat(attributor.attribute(nvidia(3, GPU1)).attribution().isEmpty()).isTrue();
  }

  @Test
  void beforeTheKubeletAnswersNoDeviceIsCalledFree() {
    KubernetesAttributor attributor = new KubernetesAttributor(() -> AllocationMap.UNKNOWN,
        () -> PodLabelIndex.EMPTY);

    DeviceSnapshot d = attributor.attribute(nvidia(0, GPU0));

    assertThat(d.readings()).noneMatch(r -> r.metric() == MetricCatalog.ALLOCATED);
    assertThat(d.attribution().isEmpty()).isTrue();
  }

  @Test
  void reusesTheSameLabelSetWhileNothingChanges() {
    AllocationMap map = AllocationMap.builder()
        .allocate(new DeviceId.Uuid(GPU0), new ContainerRef("ns", "p", "c")).build();
    KubernetesAttributor attributor = new KubernetesAttributor(() -> map, () -> PodLabelIndex.EMPTY);

    Attribution first = attributor.attribute(nvidia(0, GPU0)).attribution();
    Attribution second = attributor.attribute(nvidia(0, GPU0)).attribution();

    assertThat(second).isSameAs(first);
  }

  /**
   * A renamed resource (here nvidia.com/a100) that the configuration leaves out: every GPU would show free with no
   * pod labels, so a warning names the fix. A NIC of the same vendor (the Network Operator's RDMA device) is not
   * an accelerator and is not warned about.
   */
  /** One container holding one device through a DRA claim's result. */
  static ListPodResourcesResponse draClaim(String pod, String driver, String device) {
    return ListPodResourcesResponse.newBuilder().addPodResources(PodResources.newBuilder()
        .setNamespace("team-llm").setName(pod).addContainers(ContainerResources.newBuilder()
            .setName("pytorch").addDynamicResources(DynamicResource.newBuilder().setClaimName("gpu-claim")
                .setClaimNamespace("team-llm").addClaimResources(ClaimResource.newBuilder()
                    .setDriverName(driver).setPoolName("node-a").setDeviceName(device))))).build();
  }

  /** DRA (Kubernetes 1.34+): the claim's (driver, pool, device) is joined to the GPU through the node's slices. */
  @Test
  void aDeviceHeldThroughADraClaimIsAttributedThroughTheNodesResourceSlices() {
    AllocationMap map = PodResourcesMapping.toMap(draClaim("tj-dra-0", "gpu.nvidia.com", "gpu-0"), null,
        ResourceNames.of(ResourceNames.DEFAULT), DraFixtures.gpu0Is("node-a", GPU0));
    assertThat(map.draDrivers()).isEmpty();
    assertThat(map.allocatable(nvidia(0, GPU0))).as("published by a slice").isTrue();
    assertThat(map.allocatable(nvidia(1, GPU1))).isFalse();

    KubernetesAttributor attributor = new KubernetesAttributor(() -> map, () -> PodLabelIndex.EMPTY);
    DeviceSnapshot held = attributor.attribute(nvidia(0, GPU0));
    assertThat(allocated(held)).isEqualTo(1);
    assertThat(held.attribution().get("namespace")).isEqualTo("team-llm");
    assertThat(held.attribution().get("pod")).isEqualTo("tj-dra-0");
    assertThat(held.attribution().get("container")).isEqualTo("pytorch");
    assertThat(allocated(attributor.attribute(nvidia(1, GPU1)))).isEqualTo(0);
  }

  /**
   * A claim that no slice of the node joins to a GPU (a driver without a uuid attribute): said once, so that "free"
   * is not taken at its word. Before the slices are listed nothing is said: they may yet join it.
   */
  @Test
  void aDraClaimNoResourceSliceJoinsIsWarnedAboutOnce() {
    AllocationMap map = PodResourcesMapping.toMap(draClaim("tj-dra-0", "tpu.example.com", "chip-0"), null,
        ResourceNames.of(ResourceNames.DEFAULT), DraFixtures.gpu0Is("node-a", GPU0));
    assertThat(map.draDrivers()).containsExactly("tpu.example.com");

    try (LogCapture log = LogCapture.of(KubernetesAttributor.class)) {
      KubernetesAttributor attributor = new KubernetesAttributor(() -> map, () -> PodLabelIndex.EMPTY);
      DeviceSnapshot free = attributor.attribute(nvidia(1, GPU1));
      attributor.attribute(nvidia(1, GPU1));
      assertThat(allocated(free)).isEqualTo(0);
      assertThat(log.messages()).filteredOn(m -> m.contains("DRA")).singleElement().asString()
          .contains("tpu.example.com").contains("show as free");
    }

    assertThat(PodResourcesMapping.toMap(draClaim("tj-dra-0", "tpu.example.com", "chip-0"), null,
        ResourceNames.of(ResourceNames.DEFAULT), DraDevices.UNKNOWN).draDrivers()).isEmpty();
  }

  @Test
  void anAcceleratorResourceLeftOutOfTheConfiguredNamesIsWarnedAbout() {
    ContainerDevices a100 = ContainerDevices.newBuilder().setResourceName("nvidia.com/a100").addDeviceIds(GPU0)
        .build();
    ListPodResourcesResponse list = ListPodResourcesResponse.newBuilder().addPodResources(PodResources.newBuilder()
        .setNamespace("team-llm").setName("tj-a-worker-0").addContainers(ContainerResources.newBuilder()
            .setName("pytorch").addDevices(a100))).build();
    AllocatableResourcesResponse allocatable = AllocatableResourcesResponse.newBuilder()
        .addDevices(ContainerDevices.newBuilder().setResourceName("nvidia.com/a100").addDeviceIds(GPU0)
            .addDeviceIds(GPU1))
        .addDevices(ContainerDevices.newBuilder().setResourceName("example.com/fpga").addDeviceIds("fpga-0"))
        .addDevices(ContainerDevices.newBuilder().setResourceName("nvidia.com/rdma_shared_device_a")
            .addDeviceIds("rdma-0"))
        .build();
    AllocationMap map = PodResourcesMapping.toMap(list, allocatable, ResourceNames.of(ResourceNames.DEFAULT),
        DraDevices.NOT_SERVED);
    assertThat(map.ignoredResourceNames()).containsExactly("nvidia.com/a100");
    assertThat(map.hasAllocatable()).isFalse();

    try (LogCapture log = LogCapture.of(KubernetesAttributor.class)) {
      KubernetesAttributor attributor = new KubernetesAttributor(() -> map, () -> PodLabelIndex.EMPTY);
      attributor.attribute(nvidia(0, GPU0));
      attributor.attribute(nvidia(0, GPU0));
      assertThat(log.messages()).singleElement().asString().contains("nvidia.com/a100")
          .contains("attribution.resource-names");
    }
  }

  /** A pod that moves between two kubelet answers is on one device of a tick, never on two or on none. */
  @Test
  void oneTickIsAttributedFromOneKubeletAnswer() {
    ContainerRef pod = new ContainerRef("ns", "p", "c");
    AllocationMap onGpu0 = AllocationMap.builder().allocate(DeviceId.parse("nvidia.com/gpu", GPU0), pod).build();
    AllocationMap onGpu1 = AllocationMap.builder().allocate(DeviceId.parse("nvidia.com/gpu", GPU1), pod).build();
    AtomicLong reads = new AtomicLong();
    // The answer changes after the first read: the pod moved from GPU 0 to GPU 1 mid-tick.
    KubernetesAttributor attributor = new KubernetesAttributor(
        () -> reads.getAndIncrement() == 0 ? onGpu0 : onGpu1, () -> PodLabelIndex.EMPTY);
    List<DeviceSnapshot> tick = attributor.attributeTick(List.of(nvidia(0, GPU0), nvidia(1, GPU1)));
    assertThat(allocated(tick.get(0)) + allocated(tick.get(1))).isEqualTo(1);
    assertThat(tick.get(0).attribution().get("pod")).isEqualTo("p");
  }

  /** GKE's device plugin names GPUs by minor number; they join on the minor number NVML reports. */
  @Test
  void gkeDeviceIdsJoinOnTheMinorNumber() {
    assertThat(DeviceId.parse("nvidia.com/gpu", "nvidia3")).isEqualTo(new DeviceId.NvidiaMinor(3));
    assertThat(DeviceId.parse("nvidia.com/gpu", "nvidia3/vgpu1")).isEqualTo(new DeviceId.NvidiaMinor(3));
    assertThat(DeviceId.parse("nvidia.com/gpu", "nvidia3/gi1/vgpu0")).isEqualTo(new DeviceId.NvidiaMinor(3));
    AllocationMap map = AllocationMap.builder()
        .allocate(DeviceId.parse("nvidia.com/gpu", "nvidia3/vgpu1"), new ContainerRef("ns", "shared-1", "c"))
        .allocatable(DeviceId.parse("nvidia.com/gpu", "nvidia3/vgpu1"))
        .build();
    KubernetesAttributor attributor = new KubernetesAttributor(() -> map, () -> PodLabelIndex.EMPTY);
    DeviceSnapshot minor3 = DeviceSnapshot.builder(new DeviceIdentity(0, GPU0, "NVIDIA L4", Vendor.NVIDIA, 3))
        .build();
    DeviceSnapshot minor2 = DeviceSnapshot.builder(new DeviceIdentity(1, GPU1, "NVIDIA L4", Vendor.NVIDIA, 2))
        .build();
    assertThat(attributor.attribute(minor3).attribution().get("pod")).isEqualTo("shared-1");
    assertThat(allocated(attributor.attribute(minor2))).isEqualTo(0);
    assertThat(map.allocatable(minor3)).isTrue();
  }
}
