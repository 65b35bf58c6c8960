package io.acceltel.aggregator.http;

import io.acceltel.http.tls.TlsListener;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The aggregator's HTTP listener: {@code /api/v1/write} (remote_write), its own {@code /metrics}, {@code /healthz}
 * and {@code /readyz}; the query API registers further routes. Binds to loopback unless configured otherwise.
 */
public final class AggregatorHttpServer implements AutoCloseable {
  static final int IDLE_TIMEOUT_SECONDS = 300;
  static final long MAX_STREAMS_PER_CONNECTION = 100;
  private final Vertx vertx;
  private final HttpServer server;
  private final TlsListener tls;
  private final Map<String, Handler<HttpServerRequest>> routes = new ConcurrentHashMap<>();
  /** Prefix routes, tried in registration order when no exact route matches. */
  private final List<Map.Entry<String, Handler<HttpServerRequest>>> prefixRoutes = new CopyOnWriteArrayList<>();

  private AggregatorHttpServer(Vertx vertx, HttpServer server, TlsListener tls) {
    this.vertx = vertx;
    this.server = server;
    this.tls = tls;
  }

  /** @param tls HTTPS and client certificates from the {@code listen.tls-*} keys; a no-op without them */
  public static AggregatorHttpServer start(Vertx vertx, String host, int port, TlsListener tls,
      PrometheusRegistry registry, RemoteWriteHandler remoteWrite, BooleanSupplier ready) throws IOException {
    HttpServer server = vertx.createHttpServer(tls.configure(new HttpServerOptions().setHost(host).setPort(port)
        // 1 MiB, as Go's http.Server (Prometheus): Grafana sends label-values requests by GET, and a dashboard
        // variable over a large fleet (node=~"n1|n2|…") makes a long request line.
        .setCompressionSupported(true).setMaxInitialLineLength(1 << 20).setMaxHeaderSize(1 << 20)
        // A connection silent this long is closed: longer than the longest query (the 2 min timeout), as
        // Prometheus's 5 min --web.read-timeout. Bodies have their own, shorter deadline (BoundedBody).
        .setIdleTimeout(IDLE_TIMEOUT_SECONDS).setIdleTimeoutUnit(TimeUnit.SECONDS)
        // Settings of our own replace Vert.x's, whose 100 concurrent streams per connection must stay.
        .setInitialSettings(new Http2Settings().setMaxHeaderListSize(1 << 20)
            .setMaxConcurrentStreams(MAX_STREAMS_PER_CONNECTION))));
    AggregatorHttpServer http = new AggregatorHttpServer(vertx, server, tls);
    http.route("/api/v1/write", request -> {
      if (request.method() != HttpMethod.POST) {
        request.response().setStatusCode(405).putHeader("Allow", "POST").end("remote_write takes POST\n");
      } else {
        remoteWrite.handle(request);
      }
    });
    ExpositionFormats formats = ExpositionFormats.init();
    http.route("/metrics", request -> {
      ExpositionFormatWriter writer = formats.findWriter(request.getHeader("Accept"));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try {
        writer.write(out, registry.scrape());
        request.response().putHeader("Content-Type", writer.getContentType()).end(Buffer.buffer(out.toByteArray()));
      } catch (IOException e) {
        request.response().setStatusCode(500).end(e.getMessage());
      }
    });
    http.route("/healthz", request -> request.response().end("ok\n"));
    http.route("/readyz", request -> {
      boolean isReady = ready.getAsBoolean();
      request.response().setStatusCode(isReady ? 200 : 503).end(isReady ? "ready\n" : "not ready\n");
    });
    server.requestHandler(http::dispatch);
    try {
      server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IOException("cannot listen on " + host + ":" + port + ": " + cause.getMessage(), cause);
    }
    try {
      tls.watch(server, registry);
    } catch (IOException e) {
      http.close();
      throw e;
    }
    return http;
  }

  /** Adds a route by exact path (the query API adds its endpoints this way). */
  public void route(String path, Handler<HttpServerRequest> handler) {
    routes.put(path, handler);
  }

  /** Adds a route for every path under {@code prefix} (e.g. {@code /api/v1/label/} for label values). */
  public void routePrefix(String prefix, Handler<HttpServerRequest> handler) {
    prefixRoutes.add(Map.entry(prefix, handler));
  }

  private void dispatch(HttpServerRequest request) {
    if (tls.refused(request)) {
      return;
    }
    Handler<HttpServerRequest> handler = routes.get(request.path());
    if (handler == null) {
      for (Map.Entry<String, Handler<HttpServerRequest>> e : prefixRoutes) {
        if (request.path().startsWith(e.getKey())) {
          handler = e.getValue();
          break;
        }
      }
    }
    if (handler == null) {
      request.response().setStatusCode(404).end("not found: " + request.path() + "\n");
    } else {
      handler.handle(request);
    }
  }

  public int port() {
    return server.actualPort();
  }

  public Vertx vertx() {
    return vertx;
  }

  /** {@code https} with TLS, else {@code http}. */
  public String scheme() {
    return tls.scheme();
  }

  @Override
  public void close() {
    tls.close();
    try {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Closing anyway.
    }
  }
}
