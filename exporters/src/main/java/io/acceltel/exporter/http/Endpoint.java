package io.acceltel.exporter.http;

import java.util.List;
import java.util.Map;

/**
 * An extra route of the exporter's listener besides {@code /metrics}, {@code /healthz} and {@code /readyz}: the
 * device health report, the simulated backend's fault injection. It answers from memory, on the listener's event
 * loop, so it must not block.
 *
 * <pre>{@code
 * Endpoint hello = (method, params) -> Endpoint.Response.json(200, "{\"hello\":\"world\"}");
 * MetricsHttpServer.start(host, port, registry, ready, Map.of("/hello", hello));
 * }</pre>
 */
@FunctionalInterface
public interface Endpoint {
  /**
   * @param method the HTTP method, upper case ({@code GET}, {@code POST}); the endpoint decides what it allows
   * @param params the query parameters
   */
  Response handle(String method, Map<String, List<String>> params);

  /** What the endpoint answers. */
  record Response(int status, String contentType, String body) {
    public static Response json(int status, String body) {
      return new Response(status, "application/json", body);
    }

    public static Response text(int status, String body) {
      return new Response(status, "text/plain; charset=utf-8", body);
    }
  }
}
