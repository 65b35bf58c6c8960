package io.acceltel.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A TCP relay on loopback that holds every chunk for half a round trip in each direction: a broker "far away"
 * without root or netem. It delays, and does not limit bandwidth, as a long-haul link does.
 */
final class DelayingRelay implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final long oneWayNanos;

  private record Chunk(long dueNanos, byte[] bytes) {}

  DelayingRelay(int listenPort, int targetPort, long roundTripMillis) throws IOException {
    this.server = new ServerSocket(listenPort, 50, InetAddress.getLoopbackAddress());
    this.targetPort = targetPort;
    this.oneWayNanos = roundTripMillis * 500_000L;
    daemon(this::accept, "relay-accept");
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket broker = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        client.setTcpNoDelay(true);
        broker.setTcpNoDelay(true);
        pipe(client, broker);
        pipe(broker, client);
      } catch (IOException e) {
        // the broker not listening yet, or the relay closing: the client sees a closed connection and retries
      }
    }
  }

  private void pipe(Socket from, Socket to) throws IOException {
    BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
    InputStream in = from.getInputStream();
    OutputStream out = to.getOutputStream();
    daemon(() -> {
      byte[] buffer = new byte[64 * 1024];
      try {
        for (int n; (n = in.read(buffer)) > 0; ) {
          queue.add(new Chunk(System.nanoTime() + oneWayNanos, Arrays.copyOf(buffer, n)));
        }
      } catch (IOException e) {
        // closed
      }
      queue.add(new Chunk(0, null));
    }, "relay-read");
    daemon(() -> {
      try {
        while (true) {
          Chunk chunk = queue.take();
          if (chunk.bytes() == null) {
            break;
          }
          long wait = chunk.dueNanos() - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          }
          out.write(chunk.bytes());
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // closed
      }
      close(from);
      close(to);
    }, "relay-write");
  }

  private static void close(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  private static void daemon(Runnable work, String name) {
    Thread t = new Thread(work, name);
    t.setDaemon(true);
    t.start();
  }

  InetSocketAddress address() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
