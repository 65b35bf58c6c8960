package io.acceltel.model.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Keeps what one java.util.logging logger publishes while it is open, for tests that assert on log lines.
 *
 * <pre>{@code
 * try (LogCapture log = LogCapture.of(KubernetesAttributor.class)) {
 *   ...
 *   assertThat(log.messages()).singleElement().asString().contains("attribution.resource-names");
 * }
 * }</pre>
 */
public final class LogCapture extends Handler implements AutoCloseable {
  private final Logger logger;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();

  private LogCapture(Logger logger) {
    this.logger = logger;
    logger.addHandler(this);
  }

  public static LogCapture of(Logger logger) {
    return new LogCapture(logger);
  }

  /** The logger named after {@code type}, as the classes under test name theirs. */
  public static LogCapture of(Class<?> type) {
    return of(Logger.getLogger(type.getName()));
  }

  /** Every logger's records: the root logger's handlers see them all. */
  public static LogCapture everything() {
    return of(Logger.getLogger(""));
  }

  /** The records so far, oldest first; the list follows later ones. */
  public List<LogRecord> records() {
    return records;
  }

  /** The messages so far, oldest first. */
  public List<String> messages() {
    return records.stream().map(LogRecord::getMessage).toList();
  }

  @Override
  public void publish(LogRecord record) {
    records.add(record);
  }

  @Override
  public void flush() {}

  /** Stops capturing. */
  @Override
  public void close() {
    logger.removeHandler(this);
  }
}
