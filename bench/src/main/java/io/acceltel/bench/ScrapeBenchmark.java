package io.acceltel.bench;

import io.acceltel.exporter.NodeExporter;
import io.acceltel.model.config.ConfigSource;
import io.acceltel.exporter.config.ExporterConfig;
import io.acceltel.model.testing.TestCertificates;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Latency of one {@code /metrics} scrape of 8 devices over real HTTP on loopback, as Prometheus would do it (text
 * format, no compression), measured per request so the report gives percentiles. The exporter keeps ticking at
 * 1 Hz during the measurement, as in production.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 4)
@Fork(1)
public class ScrapeBenchmark {
  @Param({"native", "dcgm"})
  public String names;

  /** HTTPS on the listener (listen.tls-*), the scraper keeping its connection as Prometheus does. */
  @Param({"false"})
  public boolean tls;

  private NodeExporter exporter;
  private HttpClient client;
  private HttpRequest request;

  @Setup(Level.Trial)
  public void start() throws Exception {
    ConfigSource source = new ConfigSource()
        .put("devices", "simulated", "bench")
        .put("simulated.devices", "8", "bench")
        .put("names", names, "bench")
        .put("listen", "127.0.0.1:0", "bench");
    HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
    if (tls) {
      Path dir = Files.createTempDirectory("acceltel-scrape-tls");
      TestCertificates.Issued certificate = TestCertificates.server(dir, "exporter");
      source.put("listen.tls-cert-file", certificate.certificatePem().toString(), "bench")
          .put("listen.tls-key-file", certificate.privateKeyPem().toString(), "bench");
      builder.sslContext(TestCertificates.clientContext(certificate, null));
    }
    ExporterConfig config = ExporterConfig.parse(source, List.of("simulated"), List.of("native", "dcgm"));
    exporter = NodeExporter.start(config, List.of(), line -> {});
    client = builder.build();
    request = HttpRequest.newBuilder(URI.create(exporter.metricsUrl())).build();
    while (exporter.exposition().latest().isEmpty()) {
      Thread.onSpinWait();
    }
  }

  @TearDown(Level.Trial)
  public void stop() {
    exporter.close();
  }

  @Benchmark
  public int scrape() throws IOException, InterruptedException {
    HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    return response.body().length;
  }
}
