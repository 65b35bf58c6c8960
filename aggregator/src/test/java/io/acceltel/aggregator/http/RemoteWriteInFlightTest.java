package io.acceltel.aggregator.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.aggregator.ingest.IngestStats;
import io.acceltel.aggregator.ingest.SampleWriter;
import io.acceltel.aggregator.rules.StreamingAggregator;
import io.acceltel.aggregator.storage.Storage;
import io.acceltel.aggregator.storage.StorageConfig;
import io.acceltel.model.remotewrite.WriteRequestEncoder;
import io.acceltel.model.testing.Await;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/** The in-flight limit counts a request until its body is stored, even when its client has gone away. */
class RemoteWriteInFlightTest {
  @TempDir
  Path dir;

  @Test
  void clientsThatSendABodyAndHangUpStillCountUntilItIsStored() throws Exception {
    Vertx vertx = Vertx.vertx();
    CountDownLatch writerHeld = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (Storage storage = Storage.open(dir, StorageConfig.defaults())) {
      SampleWriter writer = new SampleWriter(storage, 1, new IngestStats(new PrometheusRegistry()),
          new StreamingAggregator(List.of()));
      RemoteWriteHandler handler = new RemoteWriteHandler(vertx, writer, new IngestStats(new PrometheusRegistry()),
          RemoteWriteHandler.Limits.DEFAULT);
      HttpServer server = vertx.createHttpServer().requestHandler(handler::handle).listen(0, "127.0.0.1")
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      // Every store blocks on the writer until released, as behind a long checkpoint.
      Thread holder = new Thread(() -> writer.exclusively(() -> {
        writerHeld.countDown();
        awaitQuietly(release);
      }));
      holder.start();
      assertThat(writerHeld.await(10, TimeUnit.SECONDS)).isTrue();

      byte[] body = Snappy.compress(new WriteRequestEncoder()
          .series(Map.of("__name__", "hung_up"), new long[] {System.currentTimeMillis()}, new double[] {1})
          .encode());
      for (int i = 0; i < handler.maxInFlight(); i++) {
        try (Socket socket = new Socket("127.0.0.1", server.actualPort())) {
          OutputStream out = socket.getOutputStream();
          out.write(("POST /api/v1/write HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Encoding: snappy\r\n"
              + "Content-Type: application/x-protobuf\r\nContent-Length: " + body.length + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
          out.write(body);
          out.flush();
        } // hangs up without reading the answer
      }

      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      HttpRequest next = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort()
          + "/api/v1/write")).header("Content-Encoding", "snappy").timeout(Duration.ofSeconds(10))
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
      HttpResponse<String> refused = client.send(next, HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).as("the hung-up requests' bodies are still being stored").isEqualTo(503);

      release.countDown();
      holder.join(10_000);
      Await.until("the stored bodies release their slots", Duration.ofSeconds(20),
          () -> status(client, next) == 204);
    } finally {
      release.countDown();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Clients that send headers and then too little of their body (slowloris) would hold every slot for good: each
   * gets 408 once its body deadline passes, its connection is closed, and the slots serve other senders again.
   */
  @Test
  void bodiesThatDoNotArriveInTimeAre408AndFreeTheirSlots() throws Exception {
    Vertx vertx = Vertx.vertx();
    List<Socket> stalled = new java.util.ArrayList<>();
    try (Storage storage = Storage.open(dir, StorageConfig.defaults())) {
      SampleWriter writer = new SampleWriter(storage, 1, new IngestStats(new PrometheusRegistry()),
          new StreamingAggregator(List.of()));
      RemoteWriteHandler.Limits limits = RemoteWriteHandler.Limits.DEFAULT;
      RemoteWriteHandler handler = new RemoteWriteHandler(vertx, writer, new IngestStats(new PrometheusRegistry()),
          new RemoteWriteHandler.Limits(limits.maxBodyBytes(), limits.maxDecompressedBytes(), limits.maxSeries(),
              limits.maxSamples(),
              Duration.ofMillis(500)));
      HttpServer server = vertx.createHttpServer().requestHandler(handler::handle).listen(0, "127.0.0.1")
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      for (int i = 0; i < handler.maxInFlight(); i++) {
        Socket socket = new Socket("127.0.0.1", server.actualPort());
        socket.setSoTimeout(20_000);
        stalled.add(socket);
        socket.getOutputStream().write(("POST /api/v1/write HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Encoding: snappy\r\nContent-Length: 1000\r\n\r\n0123456789")
            .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
      }
      for (Socket socket : stalled) {
        byte[] answer = socket.getInputStream().readAllBytes(); // to the end: the server closes the connection
        assertThat(new String(answer, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 408")
            .contains("was not complete within 500 ms");
      }
      byte[] body = Snappy.compress(new WriteRequestEncoder()
          .series(Map.of("__name__", "after_stall"), new long[] {System.currentTimeMillis()}, new double[] {1})
          .encode());
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      HttpRequest next = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort()
          + "/api/v1/write")).header("Content-Encoding", "snappy").timeout(Duration.ofSeconds(10))
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
      assertThat(status(client, next)).as("every stalled slot was released").isEqualTo(204);
    } finally {
      for (Socket socket : stalled) {
        socket.close();
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static int status(HttpClient client, HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      throw new AssertionError("POST " + request.uri() + " failed", e);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
