package io.acceltel.aggregator;

import io.acceltel.aggregator.api.QueryLimits;
import io.acceltel.aggregator.http.RemoteWriteHandler;
import io.acceltel.aggregator.query.RangeResultCache;
import io.acceltel.aggregator.storage.StorageConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The aggregator's configuration, validated by whoever builds it (the launcher).
 *
 * @param kafka where to consume from; empty runs the aggregator on remote_write alone
 * @param partitions this aggregator's static partition set
 * @param checkpointEvery how often storage and the Kafka offsets it covers are persisted
 * @param query the query API's limits: timeout, samples, series, concurrency, slow-query log threshold
 * @param queryCache the range-query result cache's memory and the recent steps it never keeps
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
    RemoteWriteHandler.Limits remoteWriteLimits,
    QueryLimits query,
    RangeResultCache.Settings queryCache) {

  public static final int DEFAULT_PORT = 9836;

  public static AggregatorSettings defaults(Path dataDir, Optional<String> kafka) {
    return new AggregatorSettings(dataDir, "127.0.0.1", DEFAULT_PORT, kafka, "acceltel.metrics.v1",
        List.of(0, 1, 2, 3), "acceltel.metrics.v1.dlq", Duration.ofSeconds(10), StorageConfig.defaults(),
        RemoteWriteHandler.Limits.DEFAULT, QueryLimits.DEFAULT,
        RangeResultCache.Settings.defaults());
  }

  public AggregatorSettings withListen(String host, int port) {
    return new AggregatorSettings(dataDir, host, port, kafka, topic, partitions, deadLetterTopic, checkpointEvery,
        storage, remoteWriteLimits, query, queryCache);
  }

  public AggregatorSettings withPartitions(List<Integer> partitions) {
    return new AggregatorSettings(dataDir, listenHost, listenPort, kafka, topic, partitions, deadLetterTopic,
        checkpointEvery, storage, remoteWriteLimits, query, queryCache);
  }

  public AggregatorSettings withCheckpointEvery(Duration every) {
    return new AggregatorSettings(dataDir, listenHost, listenPort, kafka, topic, partitions, deadLetterTopic, every,
        storage, remoteWriteLimits, query, queryCache);
  }

  public AggregatorSettings withTopic(String topic) {
    return new AggregatorSettings(dataDir, listenHost, listenPort, kafka, topic, partitions, topic + ".dlq",
        checkpointEvery, storage, remoteWriteLimits, query, queryCache);
  }

  public AggregatorSettings withQueryLimits(QueryLimits query) {
    return new AggregatorSettings(dataDir, listenHost, listenPort, kafka, topic, partitions, deadLetterTopic,
        checkpointEvery, storage, remoteWriteLimits, query, queryCache);
  }

  public AggregatorSettings withQueryCache(RangeResultCache.Settings queryCache) {
    return new AggregatorSettings(dataDir, listenHost, listenPort, kafka, topic, partitions, deadLetterTopic,
        checkpointEvery, storage, remoteWriteLimits, query, queryCache);
  }

  public AggregatorSettings withStorage(StorageConfig storage) {
    return new AggregatorSettings(dataDir, listenHost, listenPort, kafka, topic, partitions, deadLetterTopic,
        checkpointEvery, storage, remoteWriteLimits, query, queryCache);
  }
}
