package io.acceltel.aggregator.ingest;

import io.acceltel.aggregator.storage.AppendResult;
import io.acceltel.aggregator.storage.Appender;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one way samples enter storage. Storage takes a single writer at a time, and both the Kafka consumer and the
 * remote_write handler write, so every batch is decoded and appended under one lock (the decoders resolve new
 * series through the appender too).
 */
public final class SampleWriter {
  private final Appender appender;
  private final IngestStats stats;
  private final ReentrantLock lock = new ReentrantLock();

  public SampleWriter(Appender appender, IngestStats stats) {
    this.appender = appender;
    this.stats = stats;
  }

  /** The resolver decoders use; call only while holding the write lock (inside {@link #write}). */
  public SeriesResolver resolver() {
    return appender::ref;
  }

  /** Work done under the write lock: decode a payload and return its samples. */
  @FunctionalInterface
  public interface Decode {
    void into(SampleBatch batch) throws PoisonRecordException, RemoteWriteDecoder.TooManySeriesException;
  }

  /** Decodes and appends one record or request; nothing is appended if decoding refuses it. */
  public AppendOutcome write(String source, SampleBatch batch, Decode decode)
      throws PoisonRecordException, RemoteWriteDecoder.TooManySeriesException {
    lock.lock();
    try {
      decode.into(batch);
      int appended = 0;
      int duplicates = 0;
      int tooOld = 0;
      for (int i = 0; i < batch.size(); i++) {
        AppendResult r = appender.append(batch.ref(i), batch.timestamp(i), batch.value(i));
        switch (r) {
          case APPENDED -> appended++;
          case DUPLICATE_OR_OUT_OF_ORDER -> duplicates++;
          case TOO_OLD -> tooOld++;
        }
      }
      stats.appended(source, appended);
      stats.dropped(source, "duplicate_or_out_of_order", duplicates);
      stats.dropped(source, "too_old", tooOld);
      stats.skipped(source, batch.skipped());
      return new AppendOutcome(appended, duplicates + tooOld);
    } finally {
      lock.unlock();
    }
  }

  /** Runs work that must not interleave with appends (the checkpoint). */
  public void exclusively(Runnable work) {
    lock.lock();
    try {
      work.run();
    } finally {
      lock.unlock();
    }
  }

  /** How many samples of a batch were stored and how many dropped. */
  public record AppendOutcome(int appended, int dropped) {}
}
