package io.acceltel.exporter.testing;

import io.acceltel.exporter.NodeExporter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Requests to a running exporter's listener on loopback, as a scraper or a pre-flight check makes them. */
public final class ExporterHttp {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ExporterHttp() {}

  /** Sends a request without a body; a failure to connect fails the test with the method and path. */
  public static HttpResponse<String> send(NodeExporter exporter, String method, String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + exporter.port() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
