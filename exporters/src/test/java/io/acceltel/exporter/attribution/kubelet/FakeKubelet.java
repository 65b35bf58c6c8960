package io.acceltel.exporter.attribution.kubelet;

import io.acceltel.exporter.attribution.kubelet.v1.AllocatableResourcesRequest;
import io.acceltel.exporter.attribution.kubelet.v1.AllocatableResourcesResponse;
import io.acceltel.exporter.attribution.kubelet.v1.ContainerDevices;
import io.acceltel.exporter.attribution.kubelet.v1.ContainerResources;
import io.acceltel.exporter.attribution.kubelet.v1.ListPodResourcesRequest;
import io.acceltel.exporter.attribution.kubelet.v1.ListPodResourcesResponse;
import io.acceltel.exporter.attribution.kubelet.v1.PodResources;
import io.acceltel.exporter.attribution.kubelet.v1.PodResourcesListerGrpc;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real gRPC server implementing the kubelet's PodResourcesLister (the real proto) on a unix socket: what the
 * exporter talks to on a node, minus the kubelet. Its answers are set by the test; it can be stopped, restarted on
 * the same socket, and stalled.
 */
final class FakeKubelet implements AutoCloseable {
  private final Path socket;
  private volatile ListPodResourcesResponse list = ListPodResourcesResponse.getDefaultInstance();
  private volatile AllocatableResourcesResponse allocatable = AllocatableResourcesResponse.getDefaultInstance();
  private volatile CountDownLatch stall = new CountDownLatch(0);
  final AtomicInteger listCalls = new AtomicInteger();
  final AtomicInteger stalledCalls = new AtomicInteger();
  private Server server;
  private EventLoopGroup boss;
  private EventLoopGroup workers;

  FakeKubelet(Path socket) {
    this.socket = socket;
  }

  FakeKubelet start() throws IOException {
    Files.deleteIfExists(socket);
    boss = new EpollEventLoopGroup(1);
    workers = new EpollEventLoopGroup(1);
    server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
        .channelType(EpollServerDomainSocketChannel.class)
        .bossEventLoopGroup(boss)
        .workerEventLoopGroup(workers)
        .addService(new Lister())
        .build()
        .start();
    return this;
  }

  void stop() {
    if (server != null) {
      server.shutdownNow();
      try {
        server.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      server = null;
    }
  }

  void answer(PodResources... pods) {
    list = ListPodResourcesResponse.newBuilder().addAllPodResources(List.of(pods)).build();
  }

  void allocatable(ContainerDevices... devices) {
    allocatable = AllocatableResourcesResponse.newBuilder().addAllDevices(List.of(devices)).build();
  }

  /** List calls from now on hang until {@link #release()}. */
  void stallList() {
    stall = new CountDownLatch(1);
  }

  void release() {
    stall.countDown();
  }

  static PodResources pod(String namespace, String name, ContainerResources... containers) {
    return PodResources.newBuilder().setNamespace(namespace).setName(name).addAllContainers(List.of(containers))
        .build();
  }

  static ContainerResources container(String name, ContainerDevices... devices) {
    return ContainerResources.newBuilder().setName(name).addAllDevices(List.of(devices)).build();
  }

  static ContainerDevices devices(String resource, String... ids) {
    return ContainerDevices.newBuilder().setResourceName(resource).addAllDeviceIds(List.of(ids)).build();
  }

  @Override
  public void close() {
    release();
    stop();
  }

  private final class Lister extends PodResourcesListerGrpc.PodResourcesListerImplBase {
    @Override
    public void list(ListPodResourcesRequest request, StreamObserver<ListPodResourcesResponse> out) {
      listCalls.incrementAndGet();
      CountDownLatch latch = stall;
      if (latch.getCount() > 0) {
        stalledCalls.incrementAndGet();
        try {
          latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      out.onNext(list);
      out.onCompleted();
    }

    @Override
    public void getAllocatableResources(AllocatableResourcesRequest request,
        StreamObserver<AllocatableResourcesResponse> out) {
      out.onNext(allocatable);
      out.onCompleted();
    }
  }
}
