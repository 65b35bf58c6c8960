package io.acceltel.aggregator.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads a request body up to a limit. Past the limit the rest of the body is discarded as it arrives, never
 * buffered, and {@code tooLarge} answers the request once; otherwise {@code complete} gets the whole body.
 *
 * <pre>{@code
 * BoundedBody.read(request, 16 << 20, () -> request.response().setStatusCode(413).end(), body -> store(body));
 * }</pre>
 */
public final class BoundedBody {
  private BoundedBody() {}

  public static void read(HttpServerRequest request, long maxBytes, Runnable tooLarge, Handler<Buffer> complete) {
    String length = request.getHeader("Content-Length");
    if (length != null && parseLong(length) > maxBytes) {
      tooLarge.run();
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] refused = {false};
    request.handler(chunk -> {
      if (refused[0]) {
        return;
      }
      if (body.length() + chunk.length() > maxBytes) {
        refused[0] = true;
        tooLarge.run();
        return;
      }
      body.appendBuffer(chunk);
    });
    request.endHandler(v -> {
      if (!refused[0]) {
        complete.handle(body);
      }
    });
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
