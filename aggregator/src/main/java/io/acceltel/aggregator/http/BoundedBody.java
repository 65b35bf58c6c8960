package io.acceltel.aggregator.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.time.Duration;

/**
 * Reads a request body up to a size and within a time. Past the size the rest of the body is discarded as it
 * arrives, never buffered, and {@code tooLarge} answers the request once. A body not complete in time is answered
 * 408 and its HTTP/1.1 connection closed: a client that sends headers and then nothing (or a byte a minute) would
 * otherwise hold its slot, and the buffered part of its body, for as long as it likes. Otherwise {@code complete}
 * gets the whole body. Call it on the request's event loop.
 *
 * <pre>{@code
 * BoundedBody.read(request, 16 << 20, Duration.ofSeconds(60), () -> request.response().setStatusCode(413).end(),
 *     body -> store(body));
 * }</pre>
 */
public final class BoundedBody {
  /** A minute for a body of at most a few MiB: a sender that needs longer is stuck, not slow. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(60);

  private BoundedBody() {}

  public static void read(HttpServerRequest request, long maxBytes, Duration deadline, Runnable tooLarge,
      Handler<Buffer> complete) {
    if (declaredLength(request) > maxBytes) {
      tooLarge.run();
      return;
    }
    // Only ever touched on the request's event loop: the handlers and the timer run there. The body is held in a
    // slot that is emptied as soon as the request is given up on, so that nothing keeps it after that.
    Buffer[] body = {Buffer.buffer()};
    Vertx vertx = Vertx.currentContext().owner();
    long[] timer = new long[1];
    Runnable giveUp = () -> {
      vertx.cancelTimer(timer[0]);
      body[0] = null;
    };
    timer[0] = vertx.setTimer(Math.max(1, deadline.toMillis()), id -> {
      if (body[0] != null) {
        giveUp.run();
        tooSlow(request, deadline);
      }
    });
    // The client reset the stream or closed the connection mid-body: no answer is owed, and none can be sent.
    request.exceptionHandler(e -> giveUp.run());
    request.handler(chunk -> {
      if (body[0] == null) {
        return;
      }
      if (body[0].length() + chunk.length() > maxBytes) {
        giveUp.run();
        tooLarge.run();
        return;
      }
      body[0].appendBuffer(chunk);
    });
    request.endHandler(v -> {
      Buffer whole = body[0];
      if (whole != null) {
        giveUp.run();
        complete.handle(whole);
      }
    });
  }

  private static void tooSlow(HttpServerRequest request, Duration deadline) {
    request.response().setStatusCode(408).putHeader("Connection", "close")
        .putHeader("Content-Type", "text/plain; charset=utf-8")
        .end("the request body was not complete within " + (deadline.toMillis() % 1000 == 0
            ? deadline.toSeconds() + " s" : deadline.toMillis() + " ms") + " of its headers; send the whole body "
            + "at once\n");
    if (request.version() != HttpVersion.HTTP_2) {
      request.connection().close(); // its body may still be arriving: nothing more of it is read
    }
  }

  /** The body length the request's {@code Content-Length} declares; -1 when it declares none (or garbage). */
  public static long declaredLength(HttpServerRequest request) {
    String length = request.getHeader("Content-Length");
    return length == null ? -1 : parseLong(length);
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
