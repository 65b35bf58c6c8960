package io.acceltel.exporter.attribution.kubelet;

import io.acceltel.exporter.attribution.kubelet.v1.AllocatableResourcesRequest;
import io.acceltel.exporter.attribution.kubelet.v1.AllocatableResourcesResponse;
import io.acceltel.exporter.attribution.kubelet.v1.ListPodResourcesRequest;
import io.acceltel.exporter.attribution.kubelet.v1.ListPodResourcesResponse;
import io.acceltel.exporter.attribution.kubelet.v1.PodResourcesListerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The kubelet's PodResources v1 service over its unix socket: one long-lived plaintext channel (reconnecting after a
 * kubelet restart), blocking calls with a deadline. grpc-netty-shaded brings its own epoll transport, so this needs
 * no Netty of the application's.
 *
 * <pre>{@code
 * try (PodResourcesClient kubelet = new PodResourcesClient(Path.of("/var/lib/kubelet/pod-resources/kubelet.sock"))) {
 *   ListPodResourcesResponse pods = kubelet.list(Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public final class PodResourcesClient implements AutoCloseable {
  /** A node with many pods, CPUs and NUMA entries can exceed gRPC's 4 MiB default. */
  private static final int MAX_MESSAGE_BYTES = 16 << 20;

  private final EventLoopGroup group;
  private final ManagedChannel channel;
  private final PodResourcesListerGrpc.PodResourcesListerBlockingStub stub;

  public PodResourcesClient(Path socket) {
    group = new EpollEventLoopGroup(1, new DefaultThreadFactory("acceltel-kubelet-io", true));
    channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
        .eventLoopGroup(group)
        .channelType(EpollDomainSocketChannel.class)
        .usePlaintext()
        // A unix socket has no host name; the kubelet ignores the authority.
        .overrideAuthority("localhost")
        .maxInboundMessageSize(MAX_MESSAGE_BYTES)
        .directExecutor()
        .build();
    stub = PodResourcesListerGrpc.newBlockingStub(channel);
  }

  public ListPodResourcesResponse list(Duration deadline) {
    return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .list(ListPodResourcesRequest.getDefaultInstance());
  }

  public AllocatableResourcesResponse allocatable(Duration deadline) {
    return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .getAllocatableResources(AllocatableResourcesRequest.getDefaultInstance());
  }

  /** After a failure: try to connect right away on the next call instead of waiting out gRPC's backoff. */
  public void reconnectSoon() {
    channel.resetConnectBackoff();
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
