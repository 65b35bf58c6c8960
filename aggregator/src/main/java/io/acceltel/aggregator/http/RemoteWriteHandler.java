package io.acceltel.aggregator.http;

import io.acceltel.aggregator.ingest.IngestStats;
import io.acceltel.aggregator.ingest.PoisonRecordException;
import io.acceltel.aggregator.ingest.RemoteWriteDecoder;
import io.acceltel.aggregator.ingest.SampleBatch;
import io.acceltel.aggregator.ingest.SampleWriter;
import io.acceltel.model.text.Excerpt;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.xerial.snappy.Snappy;

/**
 * Prometheus remote_write 1.0 receiver at {@code /api/v1/write}: snappy (block format) compressed protobuf
 * {@code WriteRequest}. Answers 204 when stored, 400 for data that will never be accepted (so senders drop it
 * instead of retrying), 413 for a body over the limit, and 5xx only for failures worth retrying.
 */
public final class RemoteWriteHandler {
  private static final Logger LOG = Logger.getLogger(RemoteWriteHandler.class.getName());
  static final String SOURCE = "remote_write";

  /**
   * @param maxBodyBytes compressed body limit
   * @param maxDecompressedBytes limit after snappy, checked before decompressing (a tiny body can claim a huge size)
   * @param maxSeries series per request
   * @param maxSamples samples per request: Prometheus sends up to max_samples_per_send (2,000 by default) in one,
   *     and each worker thread keeps its batch's arrays at the largest request it decoded
   * @param bodyDeadline time from the headers to the end of the body; then 408 and the connection closed
   */
  public record Limits(int maxBodyBytes, int maxDecompressedBytes, int maxSeries, int maxSamples,
      Duration bodyDeadline) {
    public static final Limits DEFAULT = new Limits(16 << 20, 64 << 20, 100_000, 1_000_000,
        BoundedBody.DEFAULT_DEADLINE);
  }

  private final Vertx vertx;
  private final SampleWriter writer;
  private final IngestStats stats;
  private final Limits limits;
  /**
   * One decoder (with its series cache) and batch per worker thread: requests decode in parallel (the writer's refs
   * lock is shared among them), and appends contend only per stripe. The pool has one thread per core, so there are
   * that many caches.
   */
  private final ThreadLocal<Decoding> decoding;
  private final WorkerExecutor workers;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final int maxInFlight;

  private record Decoding(RemoteWriteDecoder decoder, SampleBatch batch) {}

  public RemoteWriteHandler(Vertx vertx, SampleWriter writer, IngestStats stats, Limits limits) {
    this.vertx = vertx;
    this.writer = writer;
    this.stats = stats;
    this.limits = limits;
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    this.workers = vertx.createSharedWorkerExecutor("acceltel-remote-write", threads);
    this.maxInFlight = 4 * threads;
    this.decoding = ThreadLocal.withInitial(() -> new Decoding(
        new RemoteWriteDecoder(writer.resolver(), 10 * 60_000L, limits.maxSeries(), limits.maxSamples(),
            writer.maxSeries()),
        new SampleBatch()));
  }

  /** Requests taken at once, from the first byte until their body is stored; more are answered 503. */
  int maxInFlight() {
    return maxInFlight;
  }

  public void handle(HttpServerRequest request) {
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      // 503, not 429: Prometheus retries 5xx by default but drops on 429 unless retry_on_http_429 is set.
      request.response().setStatusCode(503).putHeader("Retry-After", "1")
          .end("too many remote_write requests in flight; retry\n");
      return;
    }
    // Released once: when the response ends, or when the client goes away, but not before a body that is being
    // stored is done. Otherwise clients that send a full body and disconnect would queue unbounded work.
    AtomicBoolean released = new AtomicBoolean();
    AtomicBoolean storing = new AtomicBoolean();
    Runnable release = () -> {
      if (released.compareAndSet(false, true)) {
        inFlight.decrementAndGet();
      }
    };
    request.response().endHandler(v -> release.run());
    request.response().closeHandler(v -> {
      if (!storing.get()) {
        release.run();
      }
    });
    Reply unsupported = unsupportedFormat(request.getHeader("Content-Type"), request.getHeader("Content-Encoding"));
    if (unsupported != null) {
      unsupported.send(request);
      return;
    }
    BoundedBody.read(request, limits.maxBodyBytes(), limits.bodyDeadline(), () -> tooLarge(request), body -> {
      storing.set(true);
      workers.executeBlocking(() -> store(body.getBytes()), false)
          .onComplete(done -> release.run())
          .onSuccess(reply -> reply.send(request))
          .onFailure(e -> {
            LOG.log(Level.WARNING, "remote_write failed", e);
            request.response().setStatusCode(500).end("storing the samples failed; retry\n");
          });
    });
  }

  private void tooLarge(HttpServerRequest request) {
    request.response().setStatusCode(413).putHeader("Connection", "close")
        .end("request body over " + limits.maxBodyBytes() + " bytes; send smaller batches "
            + "(Prometheus: queue_config.max_samples_per_send)\n");
  }

  /** The answer to send once the work is done. */
  record Reply(int status, String body) {
    void send(HttpServerRequest request) {
      if (body.isEmpty()) {
        request.response().setStatusCode(status).end();
      } else {
        request.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8")
            .end(body + "\n");
      }
    }
  }

  /**
   * 415 for a body this endpoint would misread: remote_write 2.0 keeps its series in fields a 1.0 decoder does not
   * read, so its requests would look empty and be answered 204 with nothing stored. Null when the format is 1.0
   * (a sender that names no type or encoding is taken to send 1.0 with snappy, as every 1.0 sender does).
   */
  static Reply unsupportedFormat(String contentType, String contentEncoding) {
    if (contentEncoding != null && !contentEncoding.isBlank() && !contentEncoding.trim().equalsIgnoreCase("snappy")) {
      return new Reply(415, "Content-Encoding " + Excerpt.of(contentEncoding) + " is not supported: remote_write "
          + "bodies are snappy-compressed (Content-Encoding: snappy)");
    }
    if (contentType == null || contentType.isBlank()) {
      return null;
    }
    String[] parts = contentType.split(";");
    if (!parts[0].trim().equalsIgnoreCase("application/x-protobuf")) {
      return new Reply(415, "Content-Type " + Excerpt.of(contentType) + " is not supported: send "
          + "application/x-protobuf (remote_write 1.0)");
    }
    for (int i = 1; i < parts.length; i++) {
      String[] parameter = parts[i].split("=", 2);
      String value = parameter.length == 2 ? parameter[1].trim().replace("\"", "") : "";
      if (parameter[0].trim().equalsIgnoreCase("proto") && !value.equals("prometheus.WriteRequest")) {
        return new Reply(415, "remote_write message " + value + " is not supported; this endpoint "
            + "takes remote_write 1.0 (prometheus.WriteRequest): set protobuf_message: prometheus.WriteRequest in "
            + "the sender's remote_write configuration");
      }
    }
    return null;
  }

  Reply store(byte[] compressed) {
    byte[] raw;
    try {
      if (!Snappy.isValidCompressedBuffer(compressed)) {
        return new Reply(400, "the body is not snappy-compressed (block format), as remote_write requires");
      }
      int size = Snappy.uncompressedLength(compressed);
      if (size > limits.maxDecompressedBytes()) {
        return new Reply(413, "the request decompresses to " + size + " bytes, over the limit of "
            + limits.maxDecompressedBytes() + "; send smaller batches");
      }
      raw = Snappy.uncompress(compressed);
    } catch (IOException e) {
      return new Reply(400, "the body is not valid snappy data: " + e.getMessage());
    }
    Decoding d = decoding.get();
    try {
      SampleWriter.AppendOutcome outcome = writer.write(SOURCE, d.batch(),
          batch -> d.decoder().decode(raw, raw.length, batch));
      int invalid = d.decoder().invalid();
      if (invalid > 0) {
        stats.dropped(SOURCE, "invalid", invalid);
        // 4xx so that the sender logs it; what could be stored, was.
        return new Reply(400, invalid + " samples were dropped as invalid (the first: " + d.decoder().firstInvalid()
            + "); the request's other samples are stored" + (outcome.refused() > 0 ? ", but for "
            + outcome.refused() + " samples of new series beyond max-series" : "") + ". Fix them at the sender: "
            + "labels with write_relabel_configs, timestamps with the target's clock");
      }
      if (outcome.refused() > 0) {
        // 4xx so that the sender logs it (and does not retry: what could be stored, was), as Mimir does.
        return new Reply(400, outcome.refused() + " samples of new series were dropped: the aggregator holds its "
            + "maximum of series (max-series); the request's other samples are stored. Raise max-series, or drop "
            + "the label that makes new series without end");
      }
      return new Reply(204, "");
    } catch (PoisonRecordException e) {
      stats.poison(SOURCE, e, "a remote_write request");
      return new Reply(400, e.getMessage());
    } catch (RemoteWriteDecoder.RequestTooLargeException e) {
      return new Reply(413, e.getMessage());
    }
  }


}
