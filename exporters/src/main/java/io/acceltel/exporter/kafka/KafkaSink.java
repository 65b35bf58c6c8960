package io.acceltel.exporter.kafka;

import io.acceltel.exporter.collect.SnapshotListener;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.otlp.OtlpEncoder;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Streams every tick to Kafka: one OTLP request per tick, record key = node name (so a node's series stay on one
 * partition and one aggregator), {@code acks=all} with idempotence. While Kafka is unreachable ticks wait in a
 * bounded buffer and are sent in order once it is back; beyond the bound the oldest go to the on-disk spool when
 * one is configured (and survive a restart), and are otherwise dropped and counted.
 *
 * <pre>{@code
 * KafkaSink sink = KafkaSink.start(KafkaSinkSettings.of("127.0.0.1:9092"), registry);
 * loopBuilder.listener(sink);
 * }</pre>
 */
public final class KafkaSink implements SnapshotListener, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(KafkaSink.class.getName());
  private static final long LOG_EVERY_MILLIS = 30_000;
  /**
   * Ticks sent before waiting for their acknowledgements: a backlog drains this many per broker round trip instead
   * of one. Each is decompressed to its OTLP (~240 KB for 8 GPUs) while it waits, so the number stays small next to
   * the exporter's 64 MB heap.
   */
  static final int MAX_IN_FLIGHT = 16;
  private final KafkaSinkSettings settings;
  /**
   * Created at start, or by the sender once the bootstrap servers' names resolve: a node that boots while Kafka's
   * DNS names do not exist yet (the brokers' pods are down) must still start, serve /metrics and buffer ticks.
   */
  private volatile KafkaProducer<String, byte[]> producer;
  private final Supplier<KafkaProducer<String, byte[]>> producers;
  private long lastUnresolvableLog = Long.MIN_VALUE;
  /** The node's ticks in order, each marking stale the series the one before had and it lacks. */
  private final OtlpEncoder.Stream encoder;
  private final TickBuffer buffer;
  private final Thread sender;
  private final Histogram sendLatency;
  private final Counter sent;
  private final Counter failures;
  private volatile boolean running = true;
  private long lastFailureLog = Long.MIN_VALUE;
  private boolean refusedLogged;

  private KafkaSink(KafkaSinkSettings settings, PrometheusRegistry registry, String version,
      Supplier<KafkaProducer<String, byte[]>> producers) {
    this.settings = settings;
    this.encoder = new OtlpEncoder(version).stream();
    this.producers = producers;
    this.buffer = new TickBuffer(settings.bufferTicks(), Runtime.getRuntime().maxMemory() / 4,
        settings.spool().map(KafkaSink::openSpool).orElse(null));
    try {
      this.producer = createProducer();
    } catch (RuntimeException e) {
      buffer.close();
      throw e;
    }
    this.sendLatency = Histogram.builder().name(MetricCatalog.KAFKA_SEND_LATENCY.name())
        .help(MetricCatalog.KAFKA_SEND_LATENCY.help()).unit(Unit.SECONDS)
        .classicOnly().classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
        .register(registry);
    this.sent = counter(MetricCatalog.KAFKA_SENT).register(registry);
    this.failures = counter(MetricCatalog.KAFKA_SEND_FAILURES).register(registry);
    // Ticks are dropped on the tick thread (memory full) and on the sender's (an unreadable spool segment): the
    // buffer's own count is the one exact number, so the counter reads it.
    CounterWithCallback.builder().name(MetricCatalog.KAFKA_DROPPED.name()).help(MetricCatalog.KAFKA_DROPPED.help())
        .callback(cb -> cb.call(buffer.stats().dropped())).register(registry);
    gauge(MetricCatalog.KAFKA_BUFFERED, null, () -> buffer.stats().memoryTicks()).register(registry);
    gauge(MetricCatalog.KAFKA_LAG, Unit.SECONDS, () -> buffer.stats().lagSeconds(System.currentTimeMillis()))
        .register(registry);
    if (settings.spool().isPresent()) {
      gauge(MetricCatalog.KAFKA_SPOOLED_BYTES, Unit.BYTES, () -> buffer.stats().spooledBytes()).register(registry);
      gauge(MetricCatalog.KAFKA_SPOOLED_TICKS, null, () -> buffer.stats().spooledTicks()).register(registry);
      CounterWithCallback.builder().name(MetricCatalog.KAFKA_SPOOL_CORRUPT_BYTES.name())
          .help(MetricCatalog.KAFKA_SPOOL_CORRUPT_BYTES.help()).unit(Unit.BYTES)
          .callback(cb -> cb.call(buffer.stats().spoolCorruptBytesSkipped())).register(registry);
    }
    this.sender = new Thread(this::sendLoop, "acceltel-kafka-sink");
    this.sender.setDaemon(true);
  }

  /**
   * Starts the sender; with a spool, first opens and locks its directory and queues the ticks a previous run left
   * there.
   *
   * @throws UncheckedIOException when the spool directory cannot be created, read or locked
   */
  public static KafkaSink start(KafkaSinkSettings settings, PrometheusRegistry registry) {
    return start(settings, registry, () -> new KafkaProducer<>(producerConfig(settings), new StringSerializer(),
        new ByteArraySerializer()));
  }

  /** With the producer made by {@code producers}, which tests use to play a bootstrap name that resolves late. */
  static KafkaSink start(KafkaSinkSettings settings, PrometheusRegistry registry,
      Supplier<KafkaProducer<String, byte[]>> producers) {
    KafkaSink sink = new KafkaSink(settings, registry, version(), producers);
    sink.sender.start();
    return sink;
  }

  /**
   * A new producer, or null while none of the bootstrap servers' names resolves (logged every 30 s). Any other
   * failure (a wrong setting) is thrown: retrying cannot mend it.
   */
  private KafkaProducer<String, byte[]> createProducer() {
    try {
      return producers.get();
    } catch (KafkaException e) {
      if (!unresolvable(e)) {
        throw e;
      }
      long now = System.nanoTime();
      if (lastUnresolvableLog == Long.MIN_VALUE || now - lastUnresolvableLog >= LOG_EVERY_MILLIS * 1_000_000) {
        lastUnresolvableLog = now;
        LOG.warning(() -> "none of Kafka's bootstrap servers " + settings.bootstrapServers() + " resolves yet "
            + "(kafka.bootstrap); holding ticks and trying again every second");
      }
      return null;
    }
  }

  private static boolean unresolvable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConfigException && String.valueOf(t.getMessage()).contains("No resolvable bootstrap urls")) {
        return true;
      }
    }
    return false;
  }

  private static String version() {
    String v = KafkaSink.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  private static TickSpool openSpool(KafkaSinkSettings.Spool spool) {
    try {
      return TickSpool.open(spool.directory(), spool.maxBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use the spool directory " + spool.directory() + " (kafka.spool-dir): "
          + e.getMessage(), e);
    }
  }

  private static GaugeWithCallback.Builder gauge(MetricDefinition metric, Unit unit, DoubleSupplier value) {
    GaugeWithCallback.Builder b = GaugeWithCallback.builder().name(metric.name()).help(metric.help())
        .callback(cb -> cb.call(value.getAsDouble()));
    return unit == null ? b : b.unit(unit);
  }

  private static Counter.Builder counter(MetricDefinition metric) {
    return Counter.builder().name(metric.name()).help(metric.help());
  }

  private static Map<String, Object> producerConfig(KafkaSinkSettings s) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "acceltel-exporter");
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, s.compression());
    config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    long timeout = s.sendTimeout().toMillis();
    // One attempt must end within the send timeout so the sender can log, count and retry; the buffer, not the
    // producer's own queue, is what holds ticks through an outage.
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1000, timeout / 2));
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout);
    config.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 8L * 1024 * 1024);
    // The producer checks a record's size before compression, the broker after: a big node's tick (MIG, many
    // processes) may pass 1 MB of OTLP while its zstd batch stays far below the broker's limit.
    config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
    config.putAll(s.security().clientProperties());
    return config;
  }

  @Override
  public void onSnapshot(NodeSnapshot snapshot) {
    byte[] payload = encoder.encode(snapshot);
    buffer.offer(TickBuffer.Tick.of(snapshot.node(), snapshot.timestampMillis(), payload));
  }

  private void sendLoop() {
    while (running) {
      if (producer == null) {
        try {
          producer = createProducer();
        } catch (RuntimeException e) {
          // A setting the client checks only once a name resolves (a CA or key file it cannot use): this thread
          // must not die of it, or nothing streams again while /metrics looks healthy.
          logFailure(e);
        }
        if (producer == null) {
          failures.inc();
          if (!sleepInterruptibly(1000)) {
            return;
          }
          continue;
        }
      }
      List<TickBuffer.Tick> batch;
      try {
        batch = buffer.takeBatchForSending(MAX_IN_FLIGHT, 500);
      } catch (InterruptedException e) {
        return;
      }
      if (batch.isEmpty()) {
        continue;
      }
      if (!running) {
        return; // stopping: the ticks stay in flight, and close() keeps them in their place
      }
      if (!send(batch)) {
        return;
      }
    }
  }

  /**
   * Sends a batch and waits for every acknowledgement: records sent together are batched by the producer, so a
   * backlog drains many ticks per broker round trip, and the idempotent producer keeps them in order. When any
   * fails it is sent again whole (the aggregator ignores the repeats); ticks the broker refuses for good are
   * dropped and counted. False when interrupted (the sink is closing).
   */
  private boolean send(List<TickBuffer.Tick> batch) {
    long start = System.nanoTime();
    List<Future<RecordMetadata>> acks = new ArrayList<>(batch.size());
    int refused = 0;
    Exception failure = null;
    try {
      for (TickBuffer.Tick tick : batch) {
        Future<RecordMetadata> ack = producer.send(new ProducerRecord<>(settings.topic(), null,
            tick.timestampMillis(), tick.node(), tick.payload()));
        acks.add(ack);
        if (ack.isDone() && failedForNow(ack)) {
          // Refused at send time (no metadata yet, the producer's buffer full): sending the rest now could deliver
          // them ahead of this one, which the aggregator would then drop as out of order when it is sent again.
          break;
        }
      }
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.sendTimeout().toMillis() + 1000);
      for (int i = 0; i < acks.size(); i++) {
        try {
          acks.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
          if (!refusedForGood(e.getCause())) {
            failure = failure == null ? e : failure;
          } else {
            refused++;
            logRefused(batch.get(i), e.getCause());
          }
        }
      }
    } catch (InterruptedException e) {
      return false;
    } catch (TimeoutException | RuntimeException e) {
      failure = e;
    }
    if (failure != null) {
      failures.inc();
      logFailure(failure);
      backOff();
      return true;
    }
    sendLatency.observe((System.nanoTime() - start) / 1e9);
    sent.inc(batch.size() - refused);
    buffer.settled(refused);
    return true;
  }

  /** Whether a completed send failed for a reason a retry can mend (not a record refused for good). */
  private static boolean failedForNow(Future<RecordMetadata> ack) throws InterruptedException {
    try {
      ack.get();
      return false;
    } catch (ExecutionException e) {
      return !refusedForGood(e.getCause());
    }
  }

  /** Errors that retrying the same record cannot mend: holding on to it would stall every tick behind it. */
  private static boolean refusedForGood(Throwable cause) {
    return cause instanceof RecordTooLargeException || cause instanceof RecordBatchTooLargeException
        || cause instanceof InvalidRecordException;
  }

  private void logRefused(TickBuffer.Tick tick, Throwable cause) {
    if (!refusedLogged) {
      refusedLogged = true;
      LOG.warning(() -> "Kafka refused the tick of " + tick.timestampMillis() + " (" + tick.length() + " bytes of "
          + "OTLP before compression) for good: " + cause.getMessage() + ". It is dropped and counted in "
          + MetricCatalog.KAFKA_DROPPED.name() + "; raise the topic's max.message.bytes (or the broker's "
          + "message.max.bytes), or leave metrics out with metrics.exclude. Later refusals are only counted");
    }
  }

  private void logFailure(Exception e) {
    long now = System.nanoTime(); // monotonic: a wall clock stepped back must not silence the warning
    if (lastFailureLog == Long.MIN_VALUE || now - lastFailureLog >= LOG_EVERY_MILLIS * 1_000_000) {
      lastFailureLog = now;
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      TickBuffer.Stats stats = buffer.stats();
      String held = settings.spool().map(spool -> stats.memoryTicks() + " of at most " + settings.bufferTicks()
          + " ticks in memory and " + stats.spooledTicks() + " in the spool (" + stats.spooledBytes()
          + " of at most " + spool.maxBytes() + " bytes)").orElse(stats.memoryTicks() + " of at most "
          + settings.bufferTicks() + " ticks");
      LOG.warning(() -> "cannot send to Kafka at " + settings.bootstrapServers() + " (" + cause.getMessage()
          + "); holding " + held + " and retrying");
    }
  }

  private void backOff() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** False when interrupted (the sink is closing). */
  private static boolean sleepInterruptibly(long millis) {
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      return false;
    }
  }

  /** Ticks waiting for an acknowledgement, in memory and in the spool. */
  public long buffered() {
    return buffer.size();
  }

  /** Ticks of {@link #buffered()} that wait in the on-disk spool; 0 without one. */
  public long spooled() {
    return buffer.stats().spooledTicks();
  }

  public long droppedTicks() {
    return buffer.stats().dropped();
  }

  /** Waits until every buffered tick is acknowledged (used on shutdown and by tests); true if all were. */
  public boolean flush(Duration timeout) throws InterruptedException {
    return buffer.awaitEmpty(timeout.toMillis());
  }

  @Override
  public void close() {
    try {
      flush(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    running = false;
    sender.interrupt();
    try {
      sender.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    KafkaProducer<String, byte[]> made = producer;
    if (made != null) {
      made.close(Duration.ofSeconds(5));
    }
    long unacknowledged = buffer.size();
    long keptForNextStart = buffer.close();
    if (unacknowledged > 0) {
      String fate = settings.spool().map(spool -> keptForNextStart + " stay in the spool " + spool.directory()
          + " and are sent after the next start").orElse("they are lost");
      LOG.warning(() -> "stopping with " + unacknowledged + " ticks not acknowledged by Kafka; " + fate);
    }
  }
}
