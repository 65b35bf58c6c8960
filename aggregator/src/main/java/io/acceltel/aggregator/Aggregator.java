package io.acceltel.aggregator;

import io.acceltel.aggregator.api.PrometheusApi;
import io.acceltel.aggregator.http.AggregatorHttpServer;
import io.acceltel.http.tls.TlsListener;
import io.acceltel.aggregator.http.RemoteWriteHandler;
import io.acceltel.aggregator.ingest.IngestStats;
import io.acceltel.aggregator.ingest.KafkaIngest;
import io.acceltel.aggregator.ingest.SampleWriter;
import io.acceltel.aggregator.query.RangeResultCache;
import io.acceltel.aggregator.rules.AggregationRule;
import io.acceltel.aggregator.rules.StreamingAggregator;
import io.acceltel.aggregator.storage.Storage;
import io.acceltel.aggregator.storage.StorageMetrics;
import io.acceltel.promql.engine.Engine;
import io.acceltel.promql.engine.QueryEngine;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The aggregator, wired: storage opened from its last checkpoint, Kafka ingest resuming from the offsets that
 * checkpoint covers, the remote_write receiver, Prometheus's HTTP query API ({@link PrometheusApi}: point Grafana
 * or any Prometheus client at {@link #url()}), and the HTTP listener.
 *
 * <pre>{@code
 * try (Aggregator aggregator = Aggregator.start(AggregatorSettings.defaults(dir, Optional.of("127.0.0.1:9092")))) {
 *   System.out.println("remote_write at " + aggregator.url() + "/api/v1/write");
 * }
 * }</pre>
 */
public final class Aggregator implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Aggregator.class.getName());
  private final AggregatorSettings settings;
  private final Storage storage;
  private final Vertx vertx;
  private final AggregatorHttpServer http;
  private final Optional<KafkaIngest> ingest;
  private final ScheduledExecutorService checkpoints;
  private final PrometheusRegistry registry;
  private final SampleWriter writer;
  private final PrometheusApi api;

  private Aggregator(AggregatorSettings settings, Storage storage, Vertx vertx, AggregatorHttpServer http,
      Optional<KafkaIngest> ingest, ScheduledExecutorService checkpoints, PrometheusRegistry registry,
      SampleWriter writer, PrometheusApi api) {
    this.settings = settings;
    this.storage = storage;
    this.vertx = vertx;
    this.http = http;
    this.ingest = ingest;
    this.checkpoints = checkpoints;
    this.registry = registry;
    this.writer = writer;
    this.api = api;
  }

  /** Starts with the PromQL engine ({@link Engine}) and no aggregation rules. */
  public static Aggregator start(AggregatorSettings settings) throws IOException {
    return start(settings, List.of());
  }

  /** Starts with the PromQL engine and these streaming aggregation rules, computed at ingest. */
  public static Aggregator start(AggregatorSettings settings, List<AggregationRule> rules) throws IOException {
    return start(settings, Optional.of(new Engine()), rules);
  }

  /** Starts with the given PromQL engine; without one, the query endpoints answer 503 and the others work. */
  public static Aggregator start(AggregatorSettings settings, Optional<QueryEngine> engine) throws IOException {
    return start(settings, engine, List.of());
  }

  private static Aggregator start(AggregatorSettings settings, Optional<QueryEngine> engine,
      List<AggregationRule> rules) throws IOException {
    Storage storage = Storage.open(settings.dataDir(), settings.storage());
    PrometheusRegistry registry = new PrometheusRegistry();
    IngestStats stats = new IngestStats(registry);
    StorageMetrics.register(storage, settings.maxSeries(), registry);
    SampleWriter writer = new SampleWriter(storage, SampleWriter.stripesFor(Runtime.getRuntime().availableProcessors()),
        stats, new StreamingAggregator(rules), settings.maxSeries());
    Map<String, Long> checkpointed = storage.checkpointedOffsets();
    // Partitions replaying after an outage stay closer together than storage waits before cutting a block, and than
    // the streaming aggregation waits for a stream behind: else a partition running ahead has their samples refused.
    Duration maxSkew = Collections.min(List.of(settings.storage().maxPartitionSkew(),
        StreamingAggregator.LEAST_MAX_LAG.dividedBy(2)));
    Optional<KafkaIngest> ingest = settings.kafka().map(bootstrap -> new KafkaIngest(
        new KafkaIngest.Settings(bootstrap, settings.topic(), settings.partitions(), settings.deadLetterTopic(),
            settings.checkpointEvery(), settings.kafkaSecurity(), maxSkew), writer, stats, checkpointed,
        storage::checkpoint));
    // Without Kafka, remote_write data is checkpointed on the same schedule; with Kafka the ingest thread does it,
    // because the checkpoint must record the offsets its data covers.
    ScheduledExecutorService checkpoints = null;
    if (ingest.isEmpty()) {
      checkpoints = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "acceltel-checkpoint");
        t.setDaemon(true);
        return t;
      });
      long every = settings.checkpointEvery().toMillis();
      checkpoints.scheduleAtFixedRate(() -> checkpointQuietly(writer, storage, checkpointed), every, every,
          TimeUnit.MILLISECONDS);
    }
    Vertx vertx = Vertx.vertx();
    RemoteWriteHandler remoteWrite = new RemoteWriteHandler(vertx, writer, stats, settings.remoteWriteLimits());
    AggregatorHttpServer http;
    try {
      http = AggregatorHttpServer.start(vertx, settings.listenHost(), settings.listenPort(),
          TlsListener.of(settings.listenTls()), registry, remoteWrite, () -> true);
    } catch (IOException e) {
      ingest.ifPresent(KafkaIngest::close);
      closeQuietly(storage);
      vertx.close();
      throw e;
    }
    http.route("/api/v1/status/ingest", request -> request.response()
        .putHeader("Content-Type", "application/json")
        .end(ingestStatusJson(ingest.map(KafkaIngest::consumedOffsets).orElse(Map.of()))));
    String version = Aggregator.class.getPackage().getImplementationVersion();
    RangeResultCache cache = new RangeResultCache(settings.queryCache(), storage.changes(),
        System::currentTimeMillis, registry);
    PrometheusApi api = new PrometheusApi(storage.querier(), engine, settings.query(),
        version == null ? "development" : version, System::currentTimeMillis, registry, cache);
    api.register(http);
    ingest.ifPresent(KafkaIngest::start);
    return new Aggregator(settings, storage, vertx, http, ingest, checkpoints, registry, writer, api);
  }

  /** {"status":"success","data":{"offsets":{"topic/0":123,...}}}: what the Kafka ingest has consumed. */
  private static String ingestStatusJson(Map<String, Long> offsets) {
    StringBuilder json = new StringBuilder("{\"status\":\"success\",\"data\":{\"offsets\":{");
    boolean first = true;
    for (Map.Entry<String, Long> e : new java.util.TreeMap<>(offsets).entrySet()) {
      if (!first) {
        json.append(',');
      }
      first = false;
      json.append('"').append(e.getKey().replace("\"", "")).append("\":").append(e.getValue());
    }
    return json.append("}}}").toString();
  }

  public String url() {
    String host = settings.listenHost().equals("0.0.0.0") ? "127.0.0.1" : settings.listenHost();
    return http.scheme() + "://" + host + ":" + http.port();
  }

  public int port() {
    return http.port();
  }

  public Storage storage() {
    return storage;
  }

  public AggregatorHttpServer http() {
    return http;
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /** Offsets consumed so far (next to read), by "topic/partition"; empty without Kafka. */
  public Map<String, Long> consumedOffsets() {
    return ingest.map(KafkaIngest::consumedOffsets).orElse(Map.of());
  }

  @Override
  public void close() {
    http.close();
    api.close();
    ingest.ifPresent(KafkaIngest::close);
    if (checkpoints != null) {
      checkpoints.shutdownNow();
      checkpointQuietly(writer, storage, storage.checkpointedOffsets());
    }
    closeQuietly(storage);
    vertx.close();
  }

  private static void checkpointQuietly(SampleWriter writer, Storage storage, Map<String, Long> offsets) {
    writer.exclusively(() -> {
      try {
        storage.checkpoint(offsets);
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.SEVERE, "checkpoint failed; the next one retries", e);
      }
    });
  }

  private static void closeQuietly(Storage storage) {
    try {
      storage.close();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "closing storage", e);
    }
  }
}
