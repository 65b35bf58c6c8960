package io.acceltel.aggregator.differential;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A real Prometheus server (Debian's package, 2.42) on loopback with the remote_write receiver enabled and no
 * scrape targets, for differential tests. Fails, never skips, when the binary is missing: the tests need it, and
 * {@code ./acceltel test} installs it.
 *
 * <pre>{@code
 * try (PrometheusServer prometheus = PrometheusServer.start(tempDir)) {
 *   post(prometheus.url() + "/api/v1/write", snappyWriteRequest);
 * }
 * }</pre>
 */
public final class PrometheusServer implements AutoCloseable {
  public static final Path BINARY = Path.of(System.getProperty("acceltel.prometheus", "/usr/bin/prometheus"));
  private final Process process;
  private final String url;
  private final Path log;

  private PrometheusServer(Process process, String url, Path log) {
    this.process = process;
    this.url = url;
    this.log = log;
  }

  public static PrometheusServer start(Path dir) throws IOException {
    if (!Files.isExecutable(BINARY)) {
      throw new AssertionError("Prometheus is not installed at " + BINARY + ": the differential tests run against "
          + "the real server. Install Debian's package (apt-get install prometheus; ./acceltel test does it) or "
          + "point -Dacceltel.prometheus at a Prometheus 2.42 binary.");
    }
    Path config = dir.resolve("prometheus.yml");
    // No scrape targets: data arrives by remote_write only. evaluation_interval is also the default step of
    // subqueries without one ([10m:]): keep Prometheus's default, 1m, which the engine uses too.
    Files.writeString(config, "# no scrape targets: data arrives by remote_write only\nglobal:\n"
        + "  scrape_interval: 1m\n  evaluation_interval: 1m\n");
    Path tsdb = Files.createDirectories(dir.resolve("tsdb"));
    Path log = dir.resolve("prometheus.log");
    int port = freePort();
    String listen = "127.0.0.1:" + port;
    Process p = new ProcessBuilder(List.of(BINARY.toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + tsdb, "--web.listen-address=" + listen, "--web.enable-remote-write-receiver",
        "--storage.tsdb.retention.time=100y", "--log.level=warn"))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    PrometheusServer server = new PrometheusServer(p, "http://" + listen, log);
    server.awaitReady(Duration.ofSeconds(60));
    return server;
  }

  public String url() {
    return url;
  }

  public String version() throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/api/v1/status/buildinfo"))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private void awaitReady(Duration within) throws IOException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() - deadline < 0) {
      if (!process.isAlive()) {
        throw new AssertionError("Prometheus exited with " + process.exitValue() + ":\n" + logTail());
      }
      try {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url + "/-/ready"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      LockSupport.parkNanos(50_000_000); // polling with a deadline
    }
    close();
    throw new AssertionError("Prometheus was not ready within " + within + ":\n" + logTail());
  }

  public String logTail() {
    try {
      String s = Files.readString(log, StandardCharsets.UTF_8);
      return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
