package io.acceltel.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Runs the launcher as a real process, the way an operator or Kubernetes does, and checks exit codes and output. */
class LauncherProcessTest {
  private static final Path NO_LIBRARY = Path.of("/nonexistent/acceltel-test/libnvidia-ml.so.1");

  private static Process launch(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Acceltel.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).start();
  }

  private record Finished(int exitCode, String out, String err) {}

  private static Finished run(String... args) throws Exception {
    Process p = launch(args);
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the launcher exits by itself").isTrue();
    return new Finished(p.exitValue(), out.get(), err.get());
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  @Test
  void aBadConfigValueExitsWithCode2AndNamesTheKey() throws Exception {
    Finished f = run("exporter", "--interval=10ms");
    assertThat(f.exitCode()).isEqualTo(2);
    assertThat(f.err()).isEqualTo(
        "acceltel exporter: invalid configuration: interval = '10ms': must be at least 100ms\n");
  }

  /** Each of these ended in a library's stack trace (exit 1) before it was checked up front. */
  @Test
  void badValuesOfEveryCommandExitWithCode2NamingTheFlagOrKey() throws Exception {
    String[][] cases = {
        {"exporter", "--kafka=localhost"}, {"kafka", "--port=70000"}, {"kafka", "--partitions=0"},
        {"demo", "--aggregator-port=70000"}, {"aggregator", "--kafka=kafka"}};
    String[] named = {"kafka.bootstrap = 'localhost'", "--port = '70000'", "--partitions = '0'",
        "--aggregator-port = '70000'", "kafka.bootstrap = 'kafka'"};
    for (int i = 0; i < cases.length; i++) {
      Finished f = run(cases[i]);
      assertThat(f.exitCode()).as(String.join(" ", cases[i])).isEqualTo(2);
      assertThat(f.err().lines()).as(f.err()).hasSize(1);
      assertThat(f.err()).contains("invalid configuration: " + named[i]).doesNotContain("\tat ");
    }
  }

  @Test
  void nvmlWithoutTheDriverLibraryExitsNonZeroWithOneSentenceAndNoStackTrace() throws Exception {
    Finished f = run("exporter", "--devices=nvml", "--nvml-library=" + NO_LIBRARY);
    assertThat(f.exitCode()).isEqualTo(1);
    assertThat(f.err().lines()).hasSize(1);
    assertThat(f.err()).contains("libnvidia-ml").contains("--devices=simulated")
        .doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(f.out()).isEmpty();
  }

  /** A demo whose exporter settings are wrong exits at once: no broker or aggregator is started, or announced. */
  @Test
  void aDemoWithABadExporterSettingStartsNothing() throws Exception {
    Path data = java.nio.file.Files.createTempDirectory("acceltel-demo-bad");
    Finished f = run("demo", "--interval=10ms", "--data-dir=" + data);
    assertThat(f.exitCode()).isEqualTo(2);
    assertThat(f.err()).isEqualTo("acceltel demo: invalid configuration: interval = '10ms': must be at least 100ms\n");
    assertThat(f.out()).isEmpty();
    assertThat(data.resolve("kafka")).doesNotExist();
  }

  /** What a command did not expect (here a port in use) ends in one line naming it, not a stack trace. */
  @Test
  void aBrokerWhosePortIsTakenExitsWithOneLine() throws Exception {
    Path data = java.nio.file.Files.createTempDirectory("acceltel-kafka");
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getByName("127.0.0.1"))) {
      Finished f = run("kafka", "--port=" + taken.getLocalPort(), "--data-dir=" + data);
      assertThat(f.exitCode()).isEqualTo(1);
      assertThat(f.err().lines()).as(f.err()).hasSize(1);
      assertThat(f.err()).startsWith("acceltel kafka: ").doesNotContain("\tat ");
    }
  }

  @Test
  void theDemoAnnouncesSimulatedDevicesAndServesMetricsAtThePrintedUrl() throws Exception {
    Path data = java.nio.file.Files.createTempDirectory("acceltel-demo");
    Process demo = launch("demo", "--listen=127.0.0.1:0", "--aggregator-port=0", "--data-dir=" + data,
        "--nvml-library=" + NO_LIBRARY);
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8));
      List<String> lines = new ArrayList<>();
      Pattern url = Pattern.compile("serving (http://\\S+/metrics)");
      Matcher m = null;
      String line;
      while ((line = out.readLine()) != null) {
        lines.add(line);
        m = url.matcher(line);
        if (m.find()) {
          break;
        }
      }
      assertThat(m).as("the demo printed a URL; it printed %s", lines).isNotNull();
      assertThat(m.find(0)).isTrue();
      assertThat(String.join("\n", lines)).contains("SIMULATED");
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest ready = HttpRequest.newBuilder(URI.create(m.group(1).replace("/metrics", "/readyz"))).build();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
        assertThat(System.nanoTime()).as("ready within 10 s").isLessThan(deadline);
        Thread.sleep(20);
      }
      String metrics = http.send(HttpRequest.newBuilder(URI.create(m.group(1))).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).contains("accelerator_utilization_ratio{").contains("device=\"7\"");
    } finally {
      demo.destroy();
      demo.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
