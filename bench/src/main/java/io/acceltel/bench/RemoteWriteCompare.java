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
    Map<String, String> targets = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--nodes" -> nodes = Integer.parseInt(args[++i]);
        case "--gpus" -> gpus = Integer.parseInt(args[++i]);
        case "--series" -> seriesPerGpu = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        default -> {
          String[] kv = args[i].split("=", 2);
          targets.put(kv[0], kv[1]);
        }
      }
    }
    List<MetricDefinition> names = MetricCatalog.all().stream().filter(MetricDefinition::perDevice).toList();
    int seriesCount = nodes * gpus * seriesPerGpu;
    long end = System.currentTimeMillis() / 1000 * 1000;
    long start = end - seconds * 1000L;
    System.out.printf("generating %d series x %d s = %,d samples...%n", seriesCount, seconds,
        (long) seriesCount * seconds);
    // requests[thread] = that thread's requests in time order
    List<List<byte[]>> requests = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      requests.add(new ArrayList<>());
    }
    int groups = (seriesCount + SERIES_PER_REQUEST - 1) / SERIES_PER_REQUEST;
    GpuSeriesGenerator[] generators = new GpuSeriesGenerator[seriesCount];
    Map<String, String>[] labels = labelSets(nodes, gpus, seriesPerGpu, names);
    for (int s = 0; s < seriesCount; s++) {
      generators[s] = new GpuSeriesGenerator(s % seriesPerGpu, s);
    }
    long compressedBytes = 0;
    for (long block = start; block < end; block += SECONDS_PER_REQUEST * 1000L) {
      int n = (int) Math.min(SECONDS_PER_REQUEST, (end - block) / 1000);
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
        byte[] body = Snappy.compress(encoder.encode());
        compressedBytes += body.length;
        requests.get(g % threads).add(body);
      }
    }
    long samples = (long) seriesCount * seconds;
    System.out.printf("%d requests, %.1f MB compressed%n", requests.stream().mapToInt(List::size).sum(),
        compressedBytes / 1e6);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    System.out.printf("%-12s %12s %14s %10s%n", "receiver", "seconds", "samples/s", "failures");
    for (Map.Entry<String, String> target : targets.entrySet()) {
      AtomicLong failures = new AtomicLong();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      long t0 = System.nanoTime();
      List<Future<?>> done = new ArrayList<>();
      for (List<byte[]> own : requests) {
        done.add(pool.submit(() -> {
          for (byte[] body : own) {
            try {
              HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(target.getValue()))
                  .header("Content-Encoding", "snappy").header("Content-Type", "application/x-protobuf")
                  .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() / 100 != 2) {
                if (failures.getAndIncrement() == 0) {
                  System.err.println(target.getKey() + ": HTTP " + r.statusCode() + " " + r.body());
                }
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
      double secondsTaken = (System.nanoTime() - t0) / 1e9;
      pool.shutdown();
      System.out.printf("%-12s %12.2f %,14.0f %10d%n", target.getKey(), secondsTaken, samples / secondsTaken,
          failures.get());
    }
    System.out.printf("samples sent to each: %d%n", samples);
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
