package io.acceltel.aggregator.ingest;

import io.acceltel.model.config.KafkaSecurity;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Consumes a static set of partitions of the metrics topic into storage. Offsets are not committed to Kafka: the
 * storage checkpoint records them, so data and offsets can never disagree. On start the consumer seeks to the
 * checkpointed offsets (or the beginning), and replay is idempotent because storage drops samples at or before a
 * series' last timestamp.
 *
 * <p>Poison records are counted, logged once per kind, copied to the dead-letter topic with headers naming the
 * source partition, offset and kind, and skipped; the consumer never stops on them.
 */
public final class KafkaIngest implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(KafkaIngest.class.getName());
  static final String SOURCE = "kafka";
  private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  private static final Duration LAST_RETRY = Duration.ofSeconds(30);
  private static final long LAG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** While Kafka does not answer; a partial outage (one partition's leader gone) then costs the ingest ~10%. */
  private static final long LAG_RETRY_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final Duration LAG_TIMEOUT = Duration.ofSeconds(1);
  /** A replaying partition that yields no record this long holds no other back (its leader may be away). */
  private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(10);

  /**
   * @param partitions the static partition set of this aggregator
   * @param checkpointEvery how often storage checkpoints (offsets included)
   * @param maxPartitionSkew how far, in data time, a partition may run ahead of the slowest one still replaying
   *     (see {@link PartitionAlignment}): less than storage waits before cutting a block, and than the streaming
   *     aggregation waits for a stream behind
   */
  public record Settings(String bootstrapServers, String topic, List<Integer> partitions, String deadLetterTopic,
      Duration checkpointEvery, KafkaSecurity security, Duration maxPartitionSkew) {}

  /** Persists storage together with the offsets it covers; supplied by the aggregator. */
  @FunctionalInterface
  public interface Checkpointer {
    void checkpoint(Map<String, Long> offsets) throws java.io.IOException;
  }

  private final Settings settings;
  private final SampleWriter writer;
  private final IngestStats stats;
  private final Checkpointer checkpointer;
  /**
   * Made on the ingest thread by {@link #connect()}, not in the constructor: a broker name that does not resolve yet
   * (Kafka's DNS still coming up) must not stop the aggregator from starting and serving queries. Volatile for
   * {@link #close()}'s wakeup.
   */
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  /** Ingest thread only; null until connected. */
  private KafkaProducer<byte[], byte[]> deadLetters;
  private static final Duration DEAD_LETTER_MAX_BLOCK = Duration.ofSeconds(5);
  private static final Duration DEAD_LETTER_PAUSE = Duration.ofMinutes(5);
  /** Set by a failed copy (the callback runs on the producer's or the ingest thread). */
  private volatile long deadLetterPausedUntilNanos = System.nanoTime();
  /** When a failed copy of one record was last logged (the producer's callback thread). */
  private volatile long lastCopyFailureLogNanos = System.nanoTime() - DEAD_LETTER_PAUSE.toNanos();
  private final OtlpMetricsDecoder decoder;
  private final SampleBatch batch = new SampleBatch();
  private final Map<String, Long> nextOffsets = new HashMap<>();
  private final Thread thread;
  /** Counted down by close(): ends the loop, and any wait before a retry. */
  private final CountDownLatch stopping = new CountDownLatch(1);
  /** When the lag gauge is next refreshed; ingest thread only. */
  private long lagReadNanos = System.nanoTime();
  /** Whether the last end-offsets request timed out; ingest thread only. */
  private boolean unreachable;
  private volatile Map<String, Long> consumedOffsets = Map.of();
  /** The configured partitions of the topic. */
  private final List<TopicPartition> assigned;
  /** Made by {@link #connect()}, as pausing is the consumer's state; ingest thread only. */
  private PartitionAlignment alignment;

  public KafkaIngest(Settings settings, SampleWriter writer, IngestStats stats, Map<String, Long> checkpointed,
      Checkpointer checkpointer) {
    this.settings = settings;
    this.writer = writer;
    this.stats = stats;
    this.checkpointer = checkpointer;
    this.decoder = new OtlpMetricsDecoder(writer.resolver(), Duration.ofMinutes(10).toMillis(), writer.maxSeries());
    writer.expectStreams(settings.partitions());
    this.assigned = settings.partitions().stream().map(p -> new TopicPartition(settings.topic(), p)).toList();
    for (TopicPartition partition : assigned) {
      // Known before connecting, so that a checkpoint taken while Kafka is unreachable keeps them; connect() seeks
      // to them.
      String key = key(partition);
      Long offset = checkpointed.get(key);
      if (offset != null) {
        nextOffsets.put(key, offset);
      }
    }
    this.thread = new Thread(this::run, "acceltel-kafka-ingest");
  }

  /** Creates the clients, assigns the partitions and seeks to the checkpointed offsets (or the beginning). */
  private void connect() {
    KafkaConsumer<byte[], byte[]> made = new KafkaConsumer<>(consumerConfig(settings), new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    try {
      made.assign(assigned);
      deadLetters = new KafkaProducer<>(deadLetterConfig(settings), new ByteArraySerializer(),
          new ByteArraySerializer());
    } catch (RuntimeException e) {
      made.close(Duration.ZERO);
      throw e;
    }
    consumer = made;
    alignment = new PartitionAlignment(settings.partitions(), settings.maxPartitionSkew().toMillis(), STALL_NANOS,
        System.nanoTime());
    stats.kafkaPartitionsHeld(0);
    rewind(); // to the checkpointed offsets, nothing having been consumed yet
  }

  private static Map<String, Object> consumerConfig(Settings s) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "acceltel-aggregator");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.putAll(s.security().clientProperties());
    return c;
  }

  private static Map<String, Object> deadLetterConfig(Settings s) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "acceltel-aggregator-dlq");
    // A copy is sent from the ingest thread: a missing topic (auto-create off) must not hold every partition's
    // ingest for the default 60 s per poison record.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) DEAD_LETTER_MAX_BLOCK.toMillis());
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    // A copy is as large as the record it copies (the exporter sends up to 8 MiB before compression), plus the
    // headers naming its source, which count towards the limit too.
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024 + 64 * 1024);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
    p.putAll(s.security().clientProperties());
    return p;
  }

  static String key(TopicPartition tp) {
    return tp.topic() + "/" + tp.partition();
  }

  public void start() {
    thread.start();
  }

  private void run() {
    long nextCheckpoint = System.nanoTime() + settings.checkpointEvery().toNanos();
    Duration backoff = FIRST_RETRY;
    try {
      while (stopping.getCount() > 0) {
        try {
          if (consumer == null) {
            connect();
          }
          pollOnce();
          backoff = FIRST_RETRY;
        } catch (WakeupException e) {
          throw e;
        } catch (RuntimeException e) {
          // A broker refusing the login, a rotated certificate, a topic not there yet: all can mend without a
          // restart, so the ingest waits and tries again rather than stopping for good.
          stats.ingestFailed(SOURCE);
          boolean firstOfOutage = backoff.equals(FIRST_RETRY);
          LOG.log(Level.WARNING, "Kafka ingest failed: " + e + "; retrying in " + backoff.toMillis() + " ms from "
              + "the last stored offsets", firstOfOutage ? e : null);
          if (consumer != null) {
            rewind();
          }
          if (stopping.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
            break;
          }
          backoff = backoff.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : backoff.multipliedBy(2);
        }
        if (System.nanoTime() >= nextCheckpoint) {
          checkpoint();
          nextCheckpoint = System.nanoTime() + settings.checkpointEvery().toNanos();
        }
      }
    } catch (WakeupException e) {
      // close() asked us to stop.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      checkpoint();
      if (consumer != null) {
        consumer.close();
      }
      if (deadLetters != null) {
        deadLetters.close(Duration.ofSeconds(5));
      }
    }
  }

  private void pollOnce() {
    long pollStart = System.nanoTime();
    Map<Integer, Boolean> behind = new HashMap<>();
    for (TopicPartition tp : assigned) {
      // Unknown before the partition's first fetch: it may be the slowest, and the first poll must not let another
      // run ahead of it.
      OptionalLong lag = consumer.currentLag(tp);
      behind.put(tp.partition(), lag.isEmpty() || lag.getAsLong() > 0);
    }
    int heldBefore = alignment.heldCount();
    List<TopicPartition> released = alignment.beginPoll(behind, pollStart).stream()
        .map(p -> new TopicPartition(settings.topic(), p)).toList();
    consumer.resume(released);
    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
    long wallMillis = System.currentTimeMillis();
    Map<TopicPartition, Long> heldFrom = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      TopicPartition tp = new TopicPartition(record.topic(), record.partition());
      if (heldFrom.containsKey(tp)) {
        continue;
      }
      if (!alignment.admit(record.partition(), record.timestamp(), wallMillis, System.nanoTime())) {
        heldFrom.put(tp, record.offset());
        continue;
      }
      ingest(record);
      nextOffsets.put(key(tp), record.offset() + 1);
    }
    // Held records are read again once the partition is resumed: the position goes back to the first of them.
    heldFrom.forEach(consumer::seek);
    consumer.pause(heldFrom.keySet());
    if (!records.isEmpty()) {
      consumedOffsets = Map.copyOf(nextOffsets);
    }
    int held = alignment.heldCount();
    stats.kafkaPartitionsHeld(held);
    if (held != heldBefore) {
      logHolding(heldBefore, held, heldFrom.keySet());
    }
    long now = System.nanoTime();
    if (now - lagReadNanos >= 0) {
      // Once a second is enough for a gauge, and a busy ingest polls far more often than that.
      lagReadNanos = now + (readLag() ? LAG_EVERY_NANOS : LAG_RETRY_NANOS);
    }
  }

  /** Logs when a replay starts and stops holding partitions back, not each partition each poll. */
  private void logHolding(int heldBefore, int held, Set<TopicPartition> newlyHeld) {
    if (heldBefore == 0 && held > 0) {
      LOG.info(() -> "replay: holding back " + newlyHeld + ", more than " + settings.maxPartitionSkew().toSeconds()
          + " s of data ahead of the slowest partition still replaying, so that storage does not cut blocks that "
          + "partition still fills (acceltel_aggregator_kafka_partitions_held counts them)");
    } else if (held == 0) {
      LOG.info("replay: the partitions are within " + settings.maxPartitionSkew().toSeconds() + " s of each other "
          + "again; none held back");
    }
  }

  /**
   * Asks the brokers for the end of each partition: the lag, and the one sign that Kafka is unreachable, since a
   * poll does not fail then, it only comes back empty. False (gauge cleared, failure counted) when they did not
   * answer in time.
   */
  private boolean readLag() {
    Map<TopicPartition, Long> ends;
    try {
      ends = consumer.endOffsets(consumer.assignment(), LAG_TIMEOUT);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      stats.ingestFailed(SOURCE);
      stats.kafkaLag(Map.of()); // unknown, not "caught up"
      if (!unreachable) {
        unreachable = true;
        LOG.warning(() -> "Kafka (" + settings.bootstrapServers() + ") did not answer within "
            + LAG_TIMEOUT.toMillis() + " ms: no data arrives while it is away. Checked every "
            + TimeUnit.NANOSECONDS.toSeconds(LAG_RETRY_NANOS) + " s, each failure counted in "
            + "acceltel_aggregator_ingest_failures_total");
      }
      return false;
    }
    if (unreachable) {
      unreachable = false;
      LOG.info(() -> "Kafka (" + settings.bootstrapServers() + ") answers again");
    }
    Map<String, Long> lag = new HashMap<>();
    ends.forEach((tp, end) -> lag.put(key(tp), Math.max(0, end - consumer.position(tp))));
    stats.kafkaLag(lag);
    return true;
  }

  /**
   * After a failure part-way through a poll's records, the consumer's position is past records that were never
   * stored: go back to the first one that was not.
   */
  private void rewind() {
    for (TopicPartition tp : consumer.assignment()) {
      Long next = nextOffsets.get(key(tp));
      if (next != null) {
        consumer.seek(tp, next);
      } else {
        consumer.seekToBeginning(List.of(tp));
      }
    }
  }

  private void ingest(ConsumerRecord<byte[], byte[]> record) {
    byte[] value = record.value();
    try {
      if (value == null) {
        throw new PoisonRecordException(PoisonKind.UNDECODABLE, "the record has no value");
      }
      writer.write(SOURCE, record.partition(), batch, b -> decoder.decode(value, b));
    } catch (PoisonRecordException e) {
      stats.poison(SOURCE, e, record.topic() + "/" + record.partition() + "@" + record.offset());
      deadLetter(record, e);
    } catch (RemoteWriteDecoder.RequestTooLargeException e) {
      throw new IllegalStateException(e);
    }
  }

  private void deadLetter(ConsumerRecord<byte[], byte[]> record, PoisonRecordException e) {
    ProducerRecord<byte[], byte[]> copy = new ProducerRecord<>(settings.deadLetterTopic(), null, record.timestamp(),
        record.key(), record.value());
    copy.headers().add("acceltel.poison.kind", e.kind().label().getBytes())
        .add("acceltel.source.topic", record.topic().getBytes())
        .add("acceltel.source.partition", Integer.toString(record.partition()).getBytes())
        .add("acceltel.source.offset", Long.toString(record.offset()).getBytes());
    if (System.nanoTime() - deadLetterPausedUntilNanos < 0) {
      return; // counted above; copies wait until the topic answers again
    }
    deadLetters.send(copy, (metadata, failure) -> {
      if (failure == null) {
        return;
      }
      if (!topicUnavailable(failure)) {
        // This record only (too large, say): the next copies may well go through. Logged once per pause, so that
        // a flood of such records cannot flood the log.
        long now = System.nanoTime();
        if (now - lastCopyFailureLogNanos >= DEAD_LETTER_PAUSE.toNanos()) {
          lastCopyFailureLogNanos = now;
          LOG.warning(() -> "cannot copy a poison record to " + settings.deadLetterTopic() + ": " + failure
              + " (further failures of this kind are logged at most every " + DEAD_LETTER_PAUSE.toMinutes()
              + " minutes; the records are still counted as poison)");
        }
        return;
      }
      // Each further send would block as long again: pause the copies rather than stall the ingest.
      deadLetterPausedUntilNanos = System.nanoTime() + DEAD_LETTER_PAUSE.toNanos();
      LOG.warning(() -> "cannot copy a poison record to " + settings.deadLetterTopic() + " (" + failure + "); "
          + "poison records are counted but not copied for the next " + DEAD_LETTER_PAUSE.toMinutes()
          + " minutes. Create the topic if it does not exist (the broker may not create topics by itself)");
    });
  }

  /** The topic is missing, unreachable or forbidden: every copy would fail (and wait) the same way. */
  private static boolean topicUnavailable(Exception failure) {
    return failure instanceof org.apache.kafka.common.errors.TimeoutException
        || failure instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException
        || failure instanceof org.apache.kafka.common.errors.AuthorizationException
        || failure instanceof org.apache.kafka.common.errors.AuthenticationException;
  }

  /** A failed checkpoint loses nothing (Kafka still holds the data); it is logged and retried next time. */
  private void checkpoint() {
    Map<String, Long> offsets = Map.copyOf(nextOffsets);
    try {
      // The checkpoint moves past the poison records' offsets: their dead-letter copies must be out first.
      if (deadLetters != null) {
        deadLetters.flush();
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cannot flush the dead-letter copies to " + settings.deadLetterTopic(), e);
    }
    writer.exclusively(() -> {
      try {
        checkpointer.checkpoint(offsets);
      } catch (java.io.IOException | RuntimeException e) {
        LOG.log(Level.SEVERE, "checkpoint failed; the next one retries, and a restart replays from the last "
            + "good checkpoint", e);
      }
    });
  }

  /** Offsets (next to read) of everything consumed so far; lets tests and the readiness check wait on progress. */
  public Map<String, Long> consumedOffsets() {
    return consumedOffsets;
  }

  @Override
  public void close() {
    stopping.countDown();
    KafkaConsumer<byte[], byte[]> polling = consumer;
    if (polling != null) {
      polling.wakeup();
    }
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
