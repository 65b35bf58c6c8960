package io.acceltel.bench;

import io.acceltel.aggregator.Aggregator;
import io.acceltel.aggregator.AggregatorSettings;
import io.acceltel.aggregator.api.QueryLimits;
import io.acceltel.aggregator.storage.block.FileUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.xerial.snappy.Snappy;

/**
 * Query latency of the dashboard queries on the aggregator, Prometheus and VictoriaMetrics, loaded with the
 * same data through remote_write in the same run: 1,000 GPUs (8 per node) with utilization, temperature, power and
 * an energy counter, plus a tick-duration histogram per node; the last hour at 1 s, the days before it at
 * {@code --long-interval} (1 s by default: the aggregator then answers 7-day queries from its tiers).
 *
 * <pre>
 * bench/query-compare.sh --gpus=1000 --days=7 --runs=10            # the full comparison (hours of loading)
 * bench/query-compare.sh --gpus=100 --days=1 --long-interval=15s   # a quick smoke run
 * </pre>
 *
 * Prints, per query, window and server, the median and 95th percentile of end-to-end HTTP latency over
 * {@code --runs} runs after {@code --warmups} warm-up runs (10), and the series and points returned; writes the same
 * table to
 * {@code bench/target/query-compare.md}. Each server runs as its own process (the aggregator in this JVM); run on a
 * quiet machine and record the machine in docs/benchmarks.md.
 */
public final class QueryCompare {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private final Map<String, String> options;
  private final int gpus;
  private final int gpusPerNode;
  private final int days;
  private final long longIntervalMillis;
  private final int runs;
  private final int warmups;
  private final int peerWarmups;
  private final Path dir;
  private final boolean live;
  private DashboardDataset data;
  private Map<DashboardDataset.Series, byte[]> encodedLabels;

  private QueryCompare(Map<String, String> options) {
    this.options = options;
    this.gpus = Integer.parseInt(options.getOrDefault("gpus", "1000"));
    this.gpusPerNode = Integer.parseInt(options.getOrDefault("gpus-per-node", "8"));
    this.days = Integer.parseInt(options.getOrDefault("days", "7"));
    this.longIntervalMillis = io.acceltel.aggregator.api.ApiParams.parseDuration(
        options.getOrDefault("long-interval", "1s"));
    this.runs = Integer.parseInt(options.getOrDefault("runs", "10"));
    // A server in service answers from warm code; a JVM needs more than a couple of runs of a query to get there
    // (its JIT compiles the hot paths after hundreds of calls), so every server gets the same warm-up runs.
    this.warmups = Integer.parseInt(options.getOrDefault("warmups", "10"));
    // The peers are Go programs with no JIT to warm: a few runs settle their caches, and on the multi-day windows
    // Prometheus takes seconds a query, so --peer-warmups can cut their share of the warm-up runs.
    this.peerWarmups = Math.min(warmups, Integer.parseInt(options.getOrDefault("peer-warmups",
        Integer.toString(warmups))));
    this.dir = Path.of(options.getOrDefault("dir", System.getProperty("java.io.tmpdir") + "/acceltel-query-compare"));
    this.live = Boolean.parseBoolean(options.getOrDefault("live", "false"));
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (String a : args) {
      if (!a.startsWith("--") || !a.contains("=")) {
        System.err.println("usage: QueryCompare [--gpus=1000] [--gpus-per-node=8] [--days=7] [--long-interval=1s] "
            + "[--runs=10] [--warmups=10] [--peer-warmups=<at most warmups>] [--dir=/tmp/...] "
            + "[--prometheus=/usr/bin/prometheus] "
            + "[--victoria-metrics=/usr/bin/victoria-metrics] [--skip=prometheus,victoria-metrics] "
            + "[--aggregator=process|in-process] [--aggregator-heap=8g] [--acceltel-jar=launcher/target/acceltel.jar] "
            + "[--aggregator-java-opts='-XX:...'] [--only=<parts of queries' names, comma-separated>] "
            + "[--window=<part of a window's name: 1h, d @>] [--cache-settled=true] [--live=true] [--nocache=false]");
        System.exit(2);
      }
      options.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
    }
    new QueryCompare(options).run();
  }

  /** A server under test: its name, base URL and process (empty when it runs in this JVM), and how to stop it. */
  private record Target(String name, String url, Optional<ProcessHandle> process, AutoCloseable stop) {}

  private void run() throws Exception {
    Files.createDirectories(dir);
    List<Target> targets = new ArrayList<>();
    String skip = options.getOrDefault("skip", "");
    try {
      targets.add(startAggregator());
      if (!skip.contains("prometheus")) {
        Path tsdb = fresh("prometheus");
        targets.add(startProcess("prometheus", options.getOrDefault("prometheus", "/usr/bin/prometheus"),
            port -> List.of("--config.file=" + writeEmptyConfig(), "--storage.tsdb.path=" + tsdb,
                "--web.listen-address=127.0.0.1:" + port, "--web.enable-remote-write-receiver",
                "--storage.tsdb.retention.time=100y", "--query.timeout=10m", "--log.level=warn"), "/-/ready"));
      }
      if (!skip.contains("victoria")) {
        Path vmData = fresh("victoria-metrics");
        targets.add(startProcess("victoria-metrics",
            options.getOrDefault("victoria-metrics", "/usr/bin/victoria-metrics"),
            port -> List.of("-storageDataPath=" + vmData, "-httpListenAddr=127.0.0.1:" + port,
                "-retentionPeriod=100y", "-search.latencyOffset=0s", "-search.maxPointsPerTimeseries=100000",
                "-search.maxQueryDuration=10m", "-loggerLevel=ERROR"), "/health"));
      }
      long end = (System.currentTimeMillis() / 1000) * 1000 - 60_000;
      load(targets, end);
      settle(targets);
      if (Boolean.parseBoolean(options.getOrDefault("cache-settled", "false"))) {
        // Both result caches evaluate the last 5 minutes anew on every request (acceltel's query-cache.recent,
        // VictoriaMetrics' -search.cacheTimestampOffset): wait until the data ends before them, so repeated
        // queries are answered from kept steps alone, as a fixed past range is.
        long until = end + 5 * 60_000 + 10_000;
        System.out.printf(Locale.ROOT, "waiting %.0f s until the data's end is 5 minutes old%n",
            Math.max(0, until - System.currentTimeMillis()) / 1e3);
        Thread.sleep(Math.max(0, until - System.currentTimeMillis()));
      }
      if (live) {
        // A dashboard in service: the data keeps arriving at 1 Hz while the last hour is refreshed, so every
        // request ends now and each result cache has new steps and a moving recent part to evaluate.
        try (LiveWriter writer = new LiveWriter(targets, end)) {
          writer.awaitCaughtUp();
          report(targets, end);
        }
      } else {
        report(targets, end);
      }
    } finally {
      for (Target t : targets) {
        try {
          t.stop().close();
        } catch (Exception e) {
          System.err.println("stopping " + t.name() + ": " + e);
        }
      }
    }
  }

  /**
   * The aggregator under test. By default it runs as its own process, as the peers do, started from the launcher
   * jar with the heap the README recommends; {@code --aggregator=in-process} runs it inside this JVM instead.
   */
  private Target startAggregator() throws Exception {
    Path data = fresh("aggregator");
    if ("in-process".equals(options.getOrDefault("aggregator", "process"))) {
      Aggregator aggregator = Aggregator.start(AggregatorSettings.defaults(data, Optional.empty())
          .withListen("127.0.0.1", 0).withQueryLimits(QueryLimits.DEFAULT.withTimeout(Duration.ofMinutes(10))));
      return new Target("acceltel", aggregator.url(), Optional.empty(), aggregator);
    }
    String heap = options.getOrDefault("aggregator-heap", "8g");
    String jar = options.getOrDefault("acceltel-jar", "launcher/target/acceltel.jar");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> jvm = new ArrayList<>(List.of("-Xms" + heap, "-Xmx" + heap, "-XX:+AlwaysPreTouch"));
    String extra = options.getOrDefault("aggregator-java-opts", "").trim();
    if (!extra.isEmpty()) {
      jvm.addAll(List.of(extra.split("\\s+"))); // e.g. a JFR recording for profiling
    }
    return startProcess("acceltel", java, port -> {
      List<String> command = new ArrayList<>(jvm);
      command.addAll(List.of("-jar", jar, "aggregator", "--data-dir=" + data, "--listen=127.0.0.1:" + port));
      return command;
    }, "/readyz");
  }

  /**
   * Waits until every server process has gone quiet after the load: the aggregator writes a checkpoint,
   * VictoriaMetrics merges parts, Prometheus compacts, each for seconds, and on two cores that work would slow
   * whichever server is being timed. Quiet: under 5 % of a core in each of 12 seconds in a row (longer than the
   * aggregator's 10 s checkpoint interval), for each; at most three minutes.
   */
  private static void settle(List<Target> targets) throws Exception {
    long began = System.nanoTime();
    int quietSeconds = 0;
    while (System.nanoTime() - began < TimeUnit.MINUTES.toNanos(3)) {
      double[] before = cpuSeconds(targets);
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
      double[] after = cpuSeconds(targets);
      boolean quiet = true;
      for (int i = 0; i < before.length; i++) {
        quiet &= after[i] - before[i] < 0.05;
      }
      quietSeconds = quiet ? quietSeconds + 1 : 0;
      if (quietSeconds == 12) {
        System.out.printf(Locale.ROOT, "servers quiet %.0f s after the load%n", (System.nanoTime() - began) / 1e9);
        return;
      }
    }
    System.out.println("servers still busy three minutes after the load; timing anyway");
  }

  private static double[] cpuSeconds(List<Target> targets) {
    double[] out = new double[targets.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = targets.get(i).process().flatMap(p -> p.info().totalCpuDuration()).map(d -> d.toNanos() / 1e9)
          .orElse(0.0);
    }
    return out;
  }

  private Path fresh(String name) throws IOException {
    Path p = dir.resolve(name);
    if (Files.exists(p)) {
      FileUtil.deleteRecursively(p);
    }
    return Files.createDirectories(p);
  }

  private String writeEmptyConfig() {
    try {
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(config, "global:\n  scrape_interval: 1h\n");
      return config.toString();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private interface Args {
    List<String> of(int port);
  }

  private Target startProcess(String name, String binary, Args args, String readyPath) throws Exception {
    if (!Files.isExecutable(Path.of(binary))) {
      throw new IllegalStateException(name + " is not installed at " + binary + " (apt-get install " + name
          + "), or pass --skip=" + name);
    }
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    List<String> command = new ArrayList<>();
    command.add(binary);
    command.addAll(args.of(port));
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile()).start();
    String url = "http://127.0.0.1:" + port;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        if (HTTP.send(HttpRequest.newBuilder(URI.create(url + readyPath)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          break;
        }
      } catch (IOException e) {
        // not up yet
      }
      if (!p.isAlive() || System.nanoTime() - deadline > 0) {
        p.destroyForcibly();
        throw new IllegalStateException(name + " did not start; see " + dir.resolve(name + ".log"));
      }
      LockSupport.parkNanos(100_000_000);
    }
    return new Target(name, url, Optional.of(p.toHandle()), () -> {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    });
  }

  // ------------------------------------------------------------------ data

  private void load(List<Target> targets, long end) throws Exception {
    data = new DashboardDataset(gpus, gpusPerNode);
    encodedLabels = new IdentityHashMap<>();
    for (DashboardDataset.Series series : data.series()) {
      encodedLabels.put(series, labels(series.labels()));
    }
    long start = end - days * 86_400_000L;
    long hourAgo = end - 3_600_000;
    long t = start;
    long samples = 0;
    long began = System.nanoTime();
    int sliceSamples = 10;
    while (t <= end) {
      long interval = t < hourAgo ? longIntervalMillis : 1000;
      long[] times = new long[sliceSamples];
      int n = 0;
      while (n < sliceSamples && t <= end) {
        times[n++] = t;
        t += t < hourAgo ? longIntervalMillis : 1000;
      }
      samples += write(targets, times, n, interval);
    }
    for (Target target : targets) {
      if (target.name().equals("victoria-metrics")) {
        HTTP.send(HttpRequest.newBuilder(URI.create(target.url() + "/internal/force_flush")).build(),
            HttpResponse.BodyHandlers.discarding());
      }
    }
    double secs = (System.nanoTime() - began) / 1e9;
    System.out.printf(Locale.ROOT, "loaded %,d samples of %,d series into %d servers in %.0f s%n", samples,
        encodedLabels.size(), targets.size(), secs);
  }

  /** Sends every series' samples at {@code times[0..n)} to every server in one remote_write request each. */
  private long write(List<Target> targets, long[] times, int n, long interval) throws Exception {
    ByteArrayOutputStream request = new ByteArrayOutputStream(1 << 20);
    data.generate(times, n, interval,
        (series, values) -> writeSeries(request, encodedLabels.get(series), times, values, n));
    byte[] body = Snappy.compress(request.toByteArray());
    List<CompletableFuture<HttpResponse<String>>> sends = new ArrayList<>();
    for (Target target : targets) {
      sends.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(target.url() + "/api/v1/write"))
          .header("Content-Encoding", "snappy").header("Content-Type", "application/x-protobuf")
          .header("X-Prometheus-Remote-Write-Version", "0.1.0").POST(HttpRequest.BodyPublishers.ofByteArray(body))
          .build(), HttpResponse.BodyHandlers.ofString()));
    }
    for (int i = 0; i < sends.size(); i++) {
      HttpResponse<String> r = sends.get(i).get();
      if (r.statusCode() / 100 != 2) {
        throw new IllegalStateException(targets.get(i).name() + " refused remote_write: " + r.statusCode() + " "
            + r.body());
      }
    }
    return (long) n * encodedLabels.size();
  }

  /**
   * Writes the next second of every series to every server once a second, as exporters streaming through Kafka
   * feed the aggregator, after catching up from the end of the loaded data to now. The samples go through
   * remote_write: in the aggregator that reaches the same sample writer as Kafka ingest does.
   */
  private final class LiveWriter implements AutoCloseable {
    private final Thread thread;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile boolean stop;
    private volatile Exception failure;

    LiveWriter(List<Target> targets, long loadedUntil) {
      thread = new Thread(() -> {
        long next = loadedUntil + 1000;
        try {
          while (!stop) {
            long now = (System.currentTimeMillis() / 1000) * 1000;
            long[] times = new long[10]; // catching up, ten seconds a request
            int n = 0;
            while (n < times.length && next <= now) {
              times[n++] = next;
              next += 1000;
            }
            if (n > 0) {
              write(targets, times, n, 1000);
            }
            if (next > now) {
              caughtUp.countDown();
              LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(next - System.currentTimeMillis() + 50));
            }
          }
        } catch (Exception e) {
          failure = e;
          caughtUp.countDown();
        }
      }, "live-writer");
      thread.setDaemon(true);
      thread.start();
    }

    void awaitCaughtUp() throws Exception {
      caughtUp.await();
      if (failure != null) {
        throw failure;
      }
      System.out.println("live: writing every series once a second from now on");
    }

    @Override
    public void close() throws Exception {
      stop = true;
      thread.join(10_000);
      if (failure != null) {
        throw failure;
      }
    }
  }

  private static byte[] labels(String... nameValues) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < nameValues.length; i += 2) {
      byte[] name = nameValues[i].getBytes(StandardCharsets.UTF_8);
      byte[] value = nameValues[i + 1].getBytes(StandardCharsets.UTF_8);
      ByteArrayOutputStream label = new ByteArrayOutputStream();
      label.write(0x0a);
      varint(label, name.length);
      label.writeBytes(name);
      label.write(0x12);
      varint(label, value.length);
      label.writeBytes(value);
      out.write(0x0a); // TimeSeries.labels = 1
      varint(out, label.size());
      out.writeBytes(label.toByteArray());
    }
    return out.toByteArray();
  }

  /** WriteRequest.timeseries = 1 { labels = 1 ...; samples = 2 { value = 1 (double); timestamp = 2 (int64) } }. */
  private static void writeSeries(ByteArrayOutputStream out, byte[] labels, long[] times, double[] values, int n) {
    ByteArrayOutputStream ts = new ByteArrayOutputStream(labels.length + n * 16);
    ts.writeBytes(labels);
    for (int i = 0; i < n; i++) {
      ByteArrayOutputStream sample = new ByteArrayOutputStream(20);
      sample.write(0x09);
      long bits = Double.doubleToRawLongBits(values[i]);
      for (int b = 0; b < 8; b++) {
        sample.write((int) (bits >>> (8 * b)) & 0xff);
      }
      sample.write(0x10);
      varint(sample, times[i]);
      ts.write(0x12);
      varint(ts, sample.size());
      ts.writeBytes(sample.toByteArray());
    }
    out.write(0x0a);
    varint(out, ts.size());
    out.writeBytes(ts.toByteArray());
  }

  private static void varint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  // ------------------------------------------------------------------ queries

  private void report(List<Target> targets, long end) throws Exception {
    record Window(String name, long start, long step, String rateRange) {}
    List<Window> windows = List.of(new Window("1h @ 15s", end - 3_600_000, 15_000, "1m"),
        new Window(days + "d @ 10m", end - days * 86_400_000L + 3_600_000, 600_000, "40m"));
    StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
        "%d GPUs, last hour at 1 s, %d days at %s; %d runs after %d warm-ups (%d for the peers); end-to-end HTTP "
            + "latency" + (live ? "; live: every series written once a second throughout, every request ending now"
            : "") + "%n%n"
            + "| query | window | server | p50 ms | " + (runs < 20 ? "slowest ms" : "p95 ms")
            + " | series | points | KB |%n|---|---|---|---|---|---|---|---|%n",
        gpus, days, Duration.ofMillis(longIntervalMillis), runs, warmups, peerWarmups));
    List<String> only = List.of(options.getOrDefault("only", "").split(","));
    String onlyWindow = options.getOrDefault("window", "");
    for (String[] q : DashboardDataset.QUERIES) {
      if (only.stream().noneMatch(q[0]::contains)) {
        continue;
      }
      for (Window w : windows) {
        if (!w.name().contains(onlyWindow)) {
          continue;
        }
        String query = "query=" + URLEncoder.encode(q[1].replace("%r", w.rateRange()), StandardCharsets.UTF_8);
        long span = end - w.start();
        Supplier<String> form = () -> {
          // Live, every request ends now, aligned to the step as Grafana aligns it.
          long until = live ? System.currentTimeMillis() / w.step() * w.step() : end;
          return query + "&start=" + (until - span) / 1000 + "&end=" + until / 1000 + "&step=" + w.step() / 1000;
        };
        List<Variant> variants = new ArrayList<>();
        for (Target target : targets) {
          variants.add(new Variant(target.name(), target.url(), form));
          if (!target.name().equals("prometheus") && !options.getOrDefault("nocache", "true").equals("false")) {
            // The aggregator and VictoriaMetrics answer repeated range queries from a result cache; time them
            // without it too, as a dashboard's first load (or a query it has not seen) finds them.
            variants.add(new Variant(target.name() + " (nocache)", target.url(), () -> form.get() + "&nocache=1"));
          }
        }
        for (String row : rows(q[0], w.name(), variants)) {
          table.append(row);
        }
      }
    }
    System.out.print(table);
    Path out = Path.of("bench", "target", "query-compare.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, table);
  }

  /** One server, or one way of asking it, to time a query on. */
  private record Variant(String server, String url, Supplier<String> form) {}

  /**
   * Times one query on every variant: table rows with each one's median and 95th percentile. The variants take
   * turns run after run, so a slow spell of this VM (they come and go by tens of percent) falls on all of them.
   */
  private List<String> rows(String query, String window, List<Variant> variants) throws Exception {
    long[][] nanos = new long[variants.size()][runs];
    String[] bodies = new String[variants.size()];
    double[] serverBefore = null;
    for (int i = -warmups; i < runs; i++) {
      for (int v = 0; v < variants.size(); v++) {
        Variant variant = variants.get(v);
        if (i < -peerWarmups && !variant.server().startsWith("acceltel")) {
          continue;
        }
        if (i == 0 && variant.server().equals("acceltel")) {
          serverBefore = serverSeconds(variant.url());
        }
        long t0 = System.nanoTime();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(variant.url() + "/api/v1/query_range"))
            .header("Content-Type", "application/x-www-form-urlencoded").timeout(Duration.ofMinutes(10))
            .POST(HttpRequest.BodyPublishers.ofString(variant.form().get())).build(),
            HttpResponse.BodyHandlers.ofString());
        long took = System.nanoTime() - t0;
        bodies[v] = r.statusCode() != 200 ? "error " + r.statusCode() + ": " + r.body() : r.body();
        if (i >= 0) {
          nanos[v][i] = took;
        }
      }
    }
    List<String> out = new ArrayList<>();
    for (int v = 0; v < variants.size(); v++) {
      Variant variant = variants.get(v);
      if (serverBefore != null && variant.server().equals("acceltel")) {
        // The aggregator's own account (arrival to answer ready, no sending): what of the latency is the engine.
        double[] after = serverSeconds(variant.url());
        System.err.printf(Locale.ROOT, "acceltel %s %s: server-side mean of both variants %.1f ms%n", query, window,
            (after[0] - serverBefore[0]) * 1e3 / (after[1] - serverBefore[1]));
      }
      long[] sorted = nanos[v].clone();
      Arrays.sort(sorted);
      String body = bodies[v];
      int seriesCount = count(body, "\"metric\":");
      int points = count(body, "],[") + seriesCount;
      out.add(String.format(Locale.ROOT, "| %s | %s | %s | %.1f | %.1f | %s | %d | %d |%n", query, window,
          variant.server(), sorted[runs / 2] / 1e6, sorted[Math.min(runs - 1, (int) Math.ceil(runs * 0.95) - 1)] / 1e6,
          body.startsWith("error") ? body.substring(0, Math.min(60, body.length())) : Integer.toString(seriesCount),
          points, body.length() / 1000));
    }
    return out;
  }

  /** The aggregator's query_range duration sum and count, from its self-metrics. */
  private static double[] serverSeconds(String url) throws Exception {
    String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    double[] sumCount = new double[2];
    for (String line : metrics.split("\n")) {
      if (line.contains("endpoint=\"query_range\"")) {
        if (line.startsWith("acceltel_aggregator_api_request_duration_seconds_sum")) {
          sumCount[0] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        } else if (line.startsWith("acceltel_aggregator_api_request_duration_seconds_count")) {
          sumCount[1] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
    }
    return sumCount;
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + what.length())) {
      n++;
    }
    return n;
  }
}
