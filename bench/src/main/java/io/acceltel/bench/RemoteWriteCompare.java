package io.acceltel.bench;

import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.remotewrite.WriteRequestEncoder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.xerial.snappy.Snappy;

/**
 * Sends the same remote_write requests to several receivers, one after the other, and reports each one's ingest
 * throughput: the peer comparison for acceltel's aggregator against Prometheus and VictoriaMetrics. Data: 1 s
 * GPU-shaped series ({@link GpuSeriesGenerator}) for {@code nodes x gpus x series}, ending now, batched like
 * Prometheus's sender (2,000 samples per request: 200 series x 10 s). Requests are encoded and compressed before
 * the clock starts; each sender thread owns a fixed set of series, so every series arrives in time order.
 *
 * <p>Each receiver first gets {@code --warmup-seconds} of the same series, untimed: a receiver in service has
 * its series registered and (for the JVM) its hot paths compiled, so the timed part measures steady-state ingest.
 * With {@code --pid name=PID} the receiver's CPU time (user + system) over the timed part is reported too, which
 * compares cost per sample independently of how the two cores were shared with the sender; {@code --thread-cpu}
 * adds it by thread name, from {@code /proc}.
 * {@code --rounds N} repeats the timed part N times over later time ranges, rotating which receiver goes first, and
 * reports the medians: single runs on a small VM move by ±20 %.
 *
 * <pre>{@code
 * java -cp bench/target/benchmarks.jar io.acceltel.bench.RemoteWriteCompare --nodes 125 --seconds 300 \
 *     acceltel=http://127.0.0.1:9836/api/v1/write vm=http://127.0.0.1:8428/api/v1/write
 * }</pre>
 * Run by {@code bench/remote-write-compare.sh}, which starts the receivers and measures their disk.
 */
public final class RemoteWriteCompare {
  private static final int SERIES_PER_REQUEST = 200;
  private static final int SECONDS_PER_REQUEST = 10;

  private RemoteWriteCompare() {}

  public static void main(String[] args) throws Exception {
    int nodes = 125;
    int gpus = 8;
    int seriesPerGpu = 60;
    int seconds = 300;
    int threads = 2;
    int warmupSeconds = 300;
    int rounds = 1;
    boolean threadCpu = false;
    Map<String, String> targets = new LinkedHashMap<>();
    Map<String, Long> pids = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--nodes" -> nodes = Integer.parseInt(args[++i]);
        case "--gpus" -> gpus = Integer.parseInt(args[++i]);
        case "--series" -> seriesPerGpu = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--warmup-seconds" -> warmupSeconds = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--thread-cpu" -> threadCpu = true;
        case "--pid" -> {
          String[] kv = args[++i].split("=", 2);
          pids.put(kv[0], Long.parseLong(kv[1]));
        }
        default -> {
          String[] kv = args[i].split("=", 2);
          targets.put(kv[0], kv[1]);
        }
      }
    }
    List<MetricDefinition> names = MetricCatalog.all().stream().filter(MetricDefinition::perDevice).toList();
    int seriesCount = nodes * gpus * seriesPerGpu;
    long end = System.currentTimeMillis() / 1000 * 1000;
    long start = end - (warmupSeconds + (long) rounds * seconds) * 1000L;
    System.out.printf("generating %d series x (%d s warm-up + %d rounds x %d s timed) = %,d timed samples per round%n",
        seriesCount, warmupSeconds, rounds, seconds, (long) seriesCount * seconds);
    GpuSeriesGenerator[] generators = new GpuSeriesGenerator[seriesCount];
    for (int s = 0; s < seriesCount; s++) {
      generators[s] = new GpuSeriesGenerator(s % seriesPerGpu, s);
    }
    Map<String, String>[] labels = labelSets(nodes, gpus, seriesPerGpu, names);
    // phases.get(0) is the warm-up, then one per round; each holds requests[thread] in time order.
    List<List<List<byte[]>>> phases = new ArrayList<>();
    long from = start;
    for (int p = 0; p <= rounds; p++) {
      long to = from + (p == 0 ? warmupSeconds : seconds) * 1000L;
      phases.add(encode(generators, labels, from, to, threads));
      from = to;
    }
    long samples = (long) seriesCount * seconds;
    long compressedBytes = phases.get(1).stream().flatMap(List::stream).mapToLong(b -> b.length).sum();
    System.out.printf("%d requests per round, %.1f MB compressed%n",
        phases.get(1).stream().mapToInt(List::size).sum(), compressedBytes / 1e6);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (Map.Entry<String, String> target : targets.entrySet()) {
      send(client, URI.create(target.getValue()), phases.get(0), target.getKey());
    }
    System.out.printf("%-16s %5s %8s %14s %8s %12s %9s%n", "receiver", "round", "seconds", "samples/s", "CPU s",
        "CPU ns/smpl", "failures");
    List<String> order = new ArrayList<>(targets.keySet());
    Map<String, List<double[]>> results = new LinkedHashMap<>();
    for (int round = 1; round <= rounds; round++) {
      for (String name : order) {
        URI uri = URI.create(targets.get(name));
        Long pid = pids.get(name);
        double cpu0 = pid == null ? 0 : cpuSeconds(pid);
        Map<String, Double> threads0 = pid == null || !threadCpu ? Map.of() : threadCpuSeconds(pid);
        long t0 = System.nanoTime();
        long failures = send(client, uri, phases.get(round), name);
        double secondsTaken = (System.nanoTime() - t0) / 1e9;
        double cpu = pid == null ? Double.NaN : cpuSeconds(pid) - cpu0;
        results.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[] {samples / secondsTaken, cpu});
        System.out.printf("%-16s %5d %8.2f %,14.0f %8.2f %12.0f %9d%n", name, round, secondsTaken,
            samples / secondsTaken, cpu, cpu * 1e9 / samples, failures);
        if (pid != null && threadCpu) {
          Map<String, Double> threads1 = threadCpuSeconds(pid);
          threads1.entrySet().stream()
              .map(e -> Map.entry(e.getKey(), e.getValue() - threads0.getOrDefault(e.getKey(), 0.0)))
              .filter(e -> e.getValue() >= 0.05)
              .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
              .forEach(e -> System.out.printf("    %-24s %6.2f s%n", e.getKey(), e.getValue()));
        }
      }
      // Who goes first changes every round, so no receiver always meets a machine just left busy.
      order.add(order.remove(0));
    }
    System.out.printf("median over %d rounds:%n", rounds);
    for (Map.Entry<String, List<double[]>> r : results.entrySet()) {
      System.out.printf("  %-16s %,14.0f samples/s %8.0f CPU ns/sample%n", r.getKey(), median(r.getValue(), 0),
          median(r.getValue(), 1) * 1e9 / samples);
    }
    System.out.printf("samples sent to each: %d%n", (long) seriesCount * (warmupSeconds + (long) rounds * seconds));
  }

  /**
   * Encodes samples [from, to) of every series as remote_write requests of {@link #SERIES_PER_REQUEST} series x up
   * to {@link #SECONDS_PER_REQUEST} seconds; returns requests[thread] in time order, a thread owning fixed series.
   */
  private static List<List<byte[]>> encode(GpuSeriesGenerator[] generators, Map<String, String>[] labels, long from,
      long to, int threads) throws java.io.IOException {
    List<List<byte[]>> requests = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      requests.add(new ArrayList<>());
    }
    int seriesCount = generators.length;
    int groups = (seriesCount + SERIES_PER_REQUEST - 1) / SERIES_PER_REQUEST;
    for (long block = from; block < to; block += SECONDS_PER_REQUEST * 1000L) {
      int n = (int) Math.min(SECONDS_PER_REQUEST, (to - block) / 1000);
      for (int g = 0; g < groups; g++) {
        WriteRequestEncoder encoder = new WriteRequestEncoder();
        for (int s = g * SERIES_PER_REQUEST; s < Math.min(seriesCount, (g + 1) * SERIES_PER_REQUEST); s++) {
          long[] ts = new long[n];
          double[] vs = new double[n];
          for (int k = 0; k < n; k++) {
            ts[k] = block + k * 1000L;
            vs[k] = generators[s].next();
          }
          encoder.series(labels[s], ts, vs);
        }
        requests.get(g % threads).add(Snappy.compress(encoder.encode()));
      }
    }
    return requests;
  }

  private static double median(List<double[]> rows, int column) {
    double[] v = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** Sends each thread's requests in order, the threads in parallel; returns the failed requests. */
  private static long send(HttpClient client, URI uri, List<List<byte[]>> perThread, String name) throws Exception {
    AtomicLong failures = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(perThread.size());
    try {
      List<Future<?>> done = new ArrayList<>();
      for (List<byte[]> own : perThread) {
        done.add(pool.submit(() -> {
          for (byte[] body : own) {
            try {
              HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri)
                  .header("Content-Encoding", "snappy").header("Content-Type", "application/x-protobuf")
                  .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() / 100 != 2 && failures.getAndIncrement() == 0) {
                System.err.println(name + ": HTTP " + r.statusCode() + " " + r.body());
              }
            } catch (Exception e) {
              failures.incrementAndGet();
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    return failures.get();
  }

  /** User plus system CPU of a process so far; NaN once it is gone. */
  private static double cpuSeconds(long pid) {
    return ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).map(d -> d.toNanos() / 1e9)
        .orElse(Double.NaN);
  }

  /** User plus system CPU of a thread, from fields 14 and 15 of /proc/PID/task/TID/stat (clock ticks of 1/100 s). */
  private static double statCpuSeconds(String stat) {
    // The command name (field 2) may hold spaces; count fields after its closing parenthesis.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }

  /** CPU by thread name, digits folded so that a pool's threads add up (C2 CompilerThread0 and 1, ...). */
  private static Map<String, Double> threadCpuSeconds(long pid) throws java.io.IOException {
    Map<String, Double> out = new java.util.TreeMap<>();
    try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/" + pid + "/task"))) {
      for (java.nio.file.Path task : tasks.toList()) {
        try {
          String stat = java.nio.file.Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "N");
          out.merge(name, statCpuSeconds(stat), Double::sum);
        } catch (java.nio.file.NoSuchFileException e) {
          // the thread ended
        }
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String>[] labelSets(int nodes, int gpus, int seriesPerGpu, List<MetricDefinition> names) {
    Map<String, String>[] out = new Map[nodes * gpus * seriesPerGpu];
    int i = 0;
    for (int n = 0; n < nodes; n++) {
      for (int g = 0; g < gpus; g++) {
        for (int s = 0; s < seriesPerGpu; s++) {
          Map<String, String> l = new LinkedHashMap<>();
          MetricDefinition metric = names.get(s % names.size());
          l.put("__name__", metric.name());
          l.put("node", "gpu-node-" + n);
          l.put("device", Integer.toString(g));
          l.put("uuid", String.format("GPU-%08x-0000-0000-0000-%012x", n, g));
          l.put("model", "NVIDIA H100 80GB HBM3");
          l.put("vendor", "nvidia");
          if (s >= names.size()) {
            l.put("series", Integer.toString(s));
          }
          out[i++] = l;
        }
      }
    }
    return out;
  }
}
