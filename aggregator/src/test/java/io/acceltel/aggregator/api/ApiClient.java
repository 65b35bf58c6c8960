package io.acceltel.aggregator.api;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Calls a Prometheus-compatible HTTP API as Grafana does: GET with a query string or POST with a form body. */
public final class ApiClient {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String base;

  public ApiClient(String base) {
    this.base = base;
  }

  public String base() {
    return base;
  }

  /** A reply: status, raw body, and the body parsed as JSON (null when it is not JSON). */
  public record Reply(int status, String body, Map<String, Object> json) {
    public Object data() {
      return json == null ? null : json.get("data");
    }

    public String errorType() {
      return json == null ? null : (String) json.get("errorType");
    }

    public String error() {
      return json == null ? null : (String) json.get("error");
    }

    @SuppressWarnings("unchecked")
    public List<String> warnings() {
      Object w = json == null ? null : json.get("warnings");
      return w == null ? List.of() : (List<String>) w;
    }
  }

  /** A JSON array of a reply as a list of objects, for assertions. */
  @SuppressWarnings("unchecked")
  public static List<Object> list(Object jsonArray) {
    return (List<Object>) jsonArray;
  }

  /** Form-encodes alternating name, value pairs (names may repeat, e.g. match[]). */
  public static String form(String... nameValues) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < nameValues.length; i += 2) {
      if (sb.length() > 0) {
        sb.append('&');
      }
      sb.append(URLEncoder.encode(nameValues[i], StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(nameValues[i + 1], StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  public Reply get(String path, String... nameValues) throws IOException, InterruptedException {
    String q = form(nameValues);
    return send(HttpRequest.newBuilder(URI.create(base + path + (q.isEmpty() ? "" : "?" + q))).GET());
  }

  public Reply post(String path, String... nameValues) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form(nameValues))));
  }

  public Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(request.timeout(Duration.ofMinutes(2)).build(),
        HttpResponse.BodyHandlers.ofString());
    Map<String, Object> json = null;
    String ct = r.headers().firstValue("Content-Type").orElse("");
    if (ct.startsWith("application/json")) {
      json = Json.object(r.body());
    }
    return new Reply(r.statusCode(), r.body(), json);
  }
}
