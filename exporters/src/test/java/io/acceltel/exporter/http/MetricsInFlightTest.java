package io.acceltel.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.model.testing.Await;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Clients that ask for /metrics and never read the answer each pin a whole body: beyond a few at once the exporter
 * answers 503 rather than let them fill its heap, and serves again once they go.
 */
class MetricsInFlightTest {
  @Test
  void responsesNobodyReadsAreBoundedAndFreedWhenTheirClientsGo() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    Gauge wide = Gauge.builder().name("test_wide").help("a family far larger than the sockets' buffers")
        .labelNames("series").register(registry);
    // Each body must outgrow what the kernel takes off the server's hands: its send buffer can grow to tcp_wmem's
    // maximum (4 MiB by default, more on tuned hosts), and a line here is about 50 bytes.
    long bodyBytes = Math.max(10L << 20, 2 * largestSendBuffer() + (1 << 20));
    for (int i = 0; i < bodyBytes / 45; i++) {
      wide.labelValues("series-number-" + i).set(i);
    }
    List<Socket> stalled = new ArrayList<>();
    HttpClient http = HttpClient.newHttpClient();
    try (MetricsHttpServer server = MetricsHttpServer.start("127.0.0.1", 0, registry, () -> true)) {
      URI metrics = URI.create("http://127.0.0.1:" + server.port() + "/metrics");
      for (int i = 0; i < MetricsHttpServer.MAX_METRICS_IN_FLIGHT; i++) {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096); // before connecting: the window the server may fill stays small
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
        OutputStream out = socket.getOutputStream();
        out.write("GET /metrics HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        stalled.add(socket);
      }
      HttpRequest request = HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(30)).build();
      Await.until("the stalled responses fill the limit", Duration.ofSeconds(30),
          () -> status(http, request) == 503);
      HttpResponse<String> refused = http.send(request, HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).contains("1");
      assertThat(refused.body()).contains("too many /metrics responses in flight (at most 8)");

      for (Socket socket : stalled) {
        socket.close();
      }
      stalled.clear();
      Await.until("a scrape is served once the stalled clients are gone", Duration.ofSeconds(30),
          () -> status(http, request) == 200);
    } finally {
      for (Socket socket : stalled) {
        socket.close();
      }
    }
  }

  private static long largestSendBuffer() throws java.io.IOException {
    String[] wmem = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/net/ipv4/tcp_wmem")).trim()
        .split("\\s+");
    return Long.parseLong(wmem[wmem.length - 1]);
  }

  private static int status(HttpClient http, HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (java.io.IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
