package io.acceltel.aggregator;

import io.acceltel.aggregator.api.QueryLimits;
import io.acceltel.aggregator.http.RemoteWriteHandler;
import io.acceltel.aggregator.query.RangeResultCache;
import io.acceltel.aggregator.storage.StorageConfig;
import io.acceltel.model.config.KafkaSecurity;
import io.acceltel.model.config.ListenerTls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The aggregator's configuration, validated by whoever builds it (the launcher).
 *
 * @param kafka where to consume from; empty runs the aggregator on remote_write alone
 * @param partitions this aggregator's static partition set
 * @param checkpointEvery how often storage and the Kafka offsets it covers are persisted
 * @param maxSeries series the head may hold; samples of new series beyond it are dropped (see
 *     {@link #defaultMaxSeries()})
 * @param query the query API's limits: timeout, samples, series, concurrency, slow-query log threshold
 * @param queryCache the range-query result cache's memory and the recent steps it never keeps
 * @param kafkaSecurity TLS and SASL of the Kafka consumer ({@link KafkaSecurity#PLAINTEXT} by default)
 * @param listenTls HTTPS, and optionally client certificates, on the HTTP listener; empty for plain HTTP
 */
public record AggregatorSettings(
    Path dataDir,
    String listenHost,
    int listenPort,
    Optional<String> kafka,
    String topic,
    List<Integer> partitions,
    String deadLetterTopic,
    Duration checkpointEvery,
    StorageConfig storage,
    int maxSeries,
    RemoteWriteHandler.Limits remoteWriteLimits,
    QueryLimits query,
    RangeResultCache.Settings queryCache,
    KafkaSecurity kafkaSecurity,
    Optional<ListenerTls> listenTls) {

  public static final int DEFAULT_PORT = 9836;
  public static final String DEFAULT_TOPIC = "acceltel.metrics.v1";
  /** Appended to the topic to name the dead-letter topic. */
  public static final String DEAD_LETTER_SUFFIX = ".dlq";

  public static AggregatorSettings defaults(Path dataDir, Optional<String> kafka) {
    return new AggregatorSettings(dataDir, "127.0.0.1", DEFAULT_PORT, kafka, DEFAULT_TOPIC,
        List.of(0, 1, 2, 3), DEFAULT_TOPIC + DEAD_LETTER_SUFFIX, Duration.ofSeconds(10), StorageConfig.defaults(),
        defaultMaxSeries(), RemoteWriteHandler.Limits.DEFAULT, QueryLimits.DEFAULT,
        RangeResultCache.Settings.defaults(), KafkaSecurity.PLAINTEXT, Optional.empty());
  }

  /**
   * One series per 16 KiB of heap: a series of 1 s data with the default 2-hour raw blocks holds up to 3 hours of
   * samples in the head (about 15 KB compressed, with its index and tier windows), so a heap this full of series
   * still has room for queries.
   */
  public static int defaultMaxSeries() {
    return (int) Math.max(10_000, Math.min(Integer.MAX_VALUE, Runtime.getRuntime().maxMemory() / 16_384));
  }

  public AggregatorSettings withMaxSeries(int maxSeries) {
    return with(b -> b.maxSeries = maxSeries);
  }

  public AggregatorSettings withListen(String host, int port) {
    return with(b -> {
      b.listenHost = host;
      b.listenPort = port;
    });
  }

  public AggregatorSettings withPartitions(List<Integer> partitions) {
    return with(b -> b.partitions = partitions);
  }

  public AggregatorSettings withCheckpointEvery(Duration every) {
    return with(b -> b.checkpointEvery = every);
  }

  /** The topic, and the dead-letter topic named after it. */
  public AggregatorSettings withTopic(String topic) {
    return with(b -> {
      b.topic = topic;
      b.deadLetterTopic = topic + DEAD_LETTER_SUFFIX;
    });
  }

  public AggregatorSettings withQueryLimits(QueryLimits query) {
    return with(b -> b.query = query);
  }

  public AggregatorSettings withQueryCache(RangeResultCache.Settings queryCache) {
    return with(b -> b.queryCache = queryCache);
  }

  public AggregatorSettings withStorage(StorageConfig storage) {
    return with(b -> b.storage = storage);
  }

  public AggregatorSettings withKafkaSecurity(KafkaSecurity kafkaSecurity) {
    return with(b -> b.kafkaSecurity = kafkaSecurity);
  }

  public AggregatorSettings withListenTls(Optional<ListenerTls> listenTls) {
    return with(b -> b.listenTls = listenTls);
  }

  /** A copy with some components changed, so that each {@code withX} names only what it changes. */
  private AggregatorSettings with(Consumer<Copy> change) {
    Copy b = new Copy(this);
    change.accept(b);
    return new AggregatorSettings(b.dataDir, b.listenHost, b.listenPort, b.kafka, b.topic, b.partitions,
        b.deadLetterTopic, b.checkpointEvery, b.storage, b.maxSeries, b.remoteWriteLimits, b.query, b.queryCache,
        b.kafkaSecurity, b.listenTls);
  }

  /** The components of one {@link AggregatorSettings}, mutable while a {@code withX} makes its copy. */
  private static final class Copy {
    Path dataDir;
    String listenHost;
    int listenPort;
    Optional<String> kafka;
    String topic;
    List<Integer> partitions;
    String deadLetterTopic;
    Duration checkpointEvery;
    StorageConfig storage;
    int maxSeries;
    RemoteWriteHandler.Limits remoteWriteLimits;
    QueryLimits query;
    RangeResultCache.Settings queryCache;
    KafkaSecurity kafkaSecurity;
    Optional<ListenerTls> listenTls;

    Copy(AggregatorSettings s) {
      dataDir = s.dataDir;
      listenHost = s.listenHost;
      listenPort = s.listenPort;
      kafka = s.kafka;
      topic = s.topic;
      partitions = s.partitions;
      deadLetterTopic = s.deadLetterTopic;
      checkpointEvery = s.checkpointEvery;
      storage = s.storage;
      maxSeries = s.maxSeries;
      remoteWriteLimits = s.remoteWriteLimits;
      query = s.query;
      queryCache = s.queryCache;
      kafkaSecurity = s.kafkaSecurity;
      listenTls = s.listenTls;
    }
  }
}
