package io.acceltel.exporter.http;

import io.acceltel.http.tls.CertificateReloader;
import io.acceltel.http.tls.TlsListener;
import io.acceltel.model.config.ListenerTls;
import io.prometheus.metrics.config.ExporterProperties;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The exporter's HTTP endpoint: {@code /metrics} (Prometheus text, OpenMetrics or protobuf by the Accept header,
 * gzip by Accept-Encoding), {@code /healthz}, {@code /readyz}, and the extra {@link Endpoint}s it was started with
 * (such as {@code /health/devices}). A scrape serializes the registry's current
 * snapshots and never calls a device.
 *
 * <p>With {@link ListenerTls} it speaks HTTPS only, and with a client CA requires client certificates on every path
 * but the health probes ({@link TlsListener}).
 */
public final class MetricsHttpServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(MetricsHttpServer.class.getName());
  /** Scrapes are GETs with tiny URLs; anything bigger is not a scraper. */
  private static final int MAX_REQUEST_LINE = 4096;
  private static final int MAX_HEADERS = 16 * 1024;
  /**
   * /metrics responses being written at once: Prometheus scrapes one at a time, and each response a client does not
   * read (a stuck or hostile one on an open listener) pins its whole body in the exporter's small heap.
   */
  static final int MAX_METRICS_IN_FLIGHT = 8;
  private final AtomicInteger metricsInFlight = new AtomicInteger();

  private final Vertx vertx;
  private final HttpServer server;
  private final PrometheusRegistry registry;
  private final ExpositionFormats formats;
  private final ExpositionFormatWriter text;
  private final ExpositionFormatWriter openMetrics;
  private final BooleanSupplier ready;
  private final Map<String, Endpoint> endpoints;
  private final TlsListener tls;
  private volatile PreRenderedMetrics preRendered = NOTHING_PRE_RENDERED;
  private volatile Supplier<Optional<String>> livenessProblem = Optional::empty;

  private static final PreRenderedMetrics NOTHING_PRE_RENDERED = new PreRenderedMetrics() {
    @Override
    public byte[] serialized(ExpositionFormatWriter writer) {
      return new byte[0];
    }

    @Override
    public boolean covers(String prometheusName) {
      return false;
    }
  };

  private MetricsHttpServer(Vertx vertx, HttpServer server, PrometheusRegistry registry, BooleanSupplier ready,
      Map<String, Endpoint> endpoints, TlsListener tls) {
    this.vertx = vertx;
    this.tls = tls;
    this.server = server;
    this.registry = registry;
    this.ready = ready;
    this.endpoints = Map.copyOf(endpoints);
    ExporterProperties properties = PrometheusProperties.get().getExporterProperties();
    this.formats = ExpositionFormats.init(properties);
    this.text = DirectTextFormatWriter.replacing(formats.getPrometheusTextFormatWriter(), properties);
    this.openMetrics = DirectTextFormatWriter.replacing(formats.getOpenMetricsTextFormatWriter(), properties);
  }

  /**
   * Starts listening.
   *
   * @param host the address to bind; loopback unless the operator configured otherwise
   * @param port 0 picks a free port, see {@link #port()}
   * @param ready true once the first complete tick has been published
   */
  public static MetricsHttpServer start(String host, int port, PrometheusRegistry registry, BooleanSupplier ready)
      throws IOException {
    return start(host, port, registry, ready, Map.of());
  }

  /**
   * Starts listening, with extra routes.
   *
   * @param endpoints further routes by exact path, e.g. {@code /health/devices}; each decides which methods it takes
   */
  public static MetricsHttpServer start(String host, int port, PrometheusRegistry registry, BooleanSupplier ready,
      Map<String, Endpoint> endpoints) throws IOException {
    return start(host, port, TlsListener.of(Optional.empty()), registry, ready, endpoints);
  }

  /**
   * Starts listening, with HTTPS and client certificates as {@code tls} says; the server closes it.
   *
   * @param tls from the {@code listen.tls-*} keys; a no-op without them
   */
  public static MetricsHttpServer start(String host, int port, TlsListener tls, PrometheusRegistry registry,
      BooleanSupplier ready, Map<String, Endpoint> endpoints) throws IOException {
    Vertx vertx = Vertx.vertx();
    HttpServerOptions options = new HttpServerOptions()
        .setHost(host)
        .setPort(port)
        .setCompressionSupported(true)
        .setMaxInitialLineLength(MAX_REQUEST_LINE)
        .setMaxHeaderSize(MAX_HEADERS)
        .setIdleTimeout(60)
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
    HttpServer server = vertx.createHttpServer(tls.configure(options));
    MetricsHttpServer http = new MetricsHttpServer(vertx, server, registry, ready, endpoints, tls);
    server.requestHandler(http::handle);
    try {
      server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      String hint = cause instanceof UnknownHostException
          ? "the host name does not resolve on this node; give --listen an address it has, such as 127.0.0.1 or "
              + "0.0.0.0"
          : tls.enabled()
              ? "are listen.tls-cert-file and listen.tls-key-file a pair Netty can load? is another exporter running?"
              : "is another exporter running? choose another port with --listen";
      throw new IOException("cannot listen on " + host + ":" + port + ": " + cause.getMessage() + " (" + hint + ")",
          cause);
    }
    try {
      tls.watch(server, registry);
    } catch (IOException e) {
      http.close();
      throw e;
    }
    return http;
  }

  public int port() {
    return server.actualPort();
  }

  /** {@code https} with TLS, else {@code http}. */
  public String scheme() {
    return tls.scheme();
  }

  /** Checks the TLS files now, as the periodic check does. */
  CertificateReloader.Result reloadCertificates() {
    return tls.reloadNow();
  }

  /** Serves these families from their pre-serialized bytes instead of writing them per scrape. */
  /** What /healthz checks: a present reason answers 503 with it, so that the kubelet restarts the exporter. */
  public MetricsHttpServer liveness(Supplier<Optional<String>> problem) {
    this.livenessProblem = problem;
    return this;
  }

  public MetricsHttpServer preRendered(PreRenderedMetrics metrics) {
    this.preRendered = metrics;
    return this;
  }

  private void handle(HttpServerRequest request) {
    if (tls.refused(request)) {
      return;
    }
    Endpoint endpoint = endpoints.get(request.path());
    if (endpoint != null) {
      serveEndpoint(endpoint, request);
      return;
    }
    // Bodies are never read here; a client that sends one gets its answer and the body is discarded.
    if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      request.response().setStatusCode(405).putHeader("Allow", "GET, HEAD").end("only GET is supported\n");
      return;
    }
    switch (request.path()) {
      case "/metrics" -> serveMetrics(request);
      case "/healthz" -> {
        Optional<String> problem = livenessProblem.get();
        request.response().setStatusCode(problem.isPresent() ? 503 : 200).putHeader("Content-Type", "text/plain")
            .end(problem.map(why -> "unhealthy: " + why + "\n").orElse("ok\n"));
      }
      case "/readyz" -> {
        boolean isReady = ready.getAsBoolean();
        request.response().setStatusCode(isReady ? 200 : 503).putHeader("Content-Type", "text/plain")
            .end(isReady ? "ready\n" : "not ready: no complete tick yet\n");
      }
      case "/" -> request.response().putHeader("Content-Type", "text/plain")
          .end("acceltel exporter: /metrics /healthz /readyz"
              + (endpoints.isEmpty() ? "" : " " + String.join(" ", new java.util.TreeSet<>(endpoints.keySet())))
              + "\n");
      default -> request.response().setStatusCode(404).putHeader("Content-Type", "text/plain")
          .end("not found: " + request.path() + " (try /metrics)\n");
    }
  }

  /**
   * The decoded query parameters, or null once a malformed query string was answered with 400: it is the client's
   * error, and logging a stack trace for each such request would let anyone who reaches the port flood the log.
   */
  private static MultiMap paramsOrBadRequest(HttpServerRequest request) {
    try {
      return request.params();
    } catch (IllegalArgumentException e) {
      request.response().setStatusCode(400).putHeader("Content-Type", "text/plain")
          .end("malformed query string (" + e.getMessage() + "): percent-encode reserved characters as %XX\n");
      return null;
    }
  }

  private void serveEndpoint(Endpoint endpoint, HttpServerRequest request) {
    MultiMap query = paramsOrBadRequest(request);
    if (query == null) {
      return;
    }
    try {
      Map<String, List<String>> params = new LinkedHashMap<>();
      for (String name : query.names()) {
        params.put(name, query.getAll(name));
      }
      Endpoint.Response response = endpoint.handle(request.method().name(), params);
      request.response().setStatusCode(response.status()).putHeader("Content-Type", response.contentType())
          .end(response.body());
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "serving " + request.path() + " failed", e);
      request.response().setStatusCode(500).end("serving " + request.path() + " failed: " + e.getMessage() + "\n");
    }
  }

  private void serveMetrics(HttpServerRequest request) {
    MultiMap query = paramsOrBadRequest(request);
    if (query == null) {
      return;
    }
    if (metricsInFlight.incrementAndGet() > MAX_METRICS_IN_FLIGHT) {
      metricsInFlight.decrementAndGet();
      request.response().setStatusCode(503).putHeader("Retry-After", "1").putHeader("Content-Type", "text/plain")
          .end("too many /metrics responses in flight (at most " + MAX_METRICS_IN_FLIGHT + "): clients that do not "
              + "read theirs hold them; retry in a second\n");
      return;
    }
    boolean sent = false;
    try {
      List<String> names = query.getAll("name[]");
      ExpositionFormatWriter writer = writerFor(request.getHeader("Accept"));
      ByteArrayOutputStream body = new ByteArrayOutputStream(128 * 1024);
      if (names.isEmpty()) {
        // Device families are pre-serialized per tick; only the exporter's own families are written now.
        PreRenderedMetrics tick = preRendered.current();
        body.write(tick.serialized(writer));
        writer.write(body, registry.scrape(name -> !tick.covers(name)));
      } else {
        writer.write(body, scrape(names));
      }
      // Counted until the client has taken the whole body (or gone): a response it does not read stays in memory.
      request.response()
          .putHeader("Content-Type", writer.getContentType())
          .end(Buffer.buffer(body.toByteArray()))
          .onComplete(done -> metricsInFlight.decrementAndGet());
      sent = true;
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "rendering /metrics failed", e);
      request.response().setStatusCode(500).end("rendering /metrics failed: " + e.getMessage() + "\n");
    } finally {
      if (!sent) {
        metricsInFlight.decrementAndGet();
      }
    }
  }

  /** The format the Accept header asks for; the text formats are written by {@link DirectTextFormatWriter}. */
  private ExpositionFormatWriter writerFor(String accept) {
    return switch (AcceptedFormat.of(accept)) {
      case PROTOBUF -> formats.getPrometheusProtobufWriter();
      case OPENMETRICS -> openMetrics;
      case TEXT -> text;
    };
  }

  private MetricSnapshots scrape(List<String> names) {
    if (names.isEmpty()) {
      return registry.scrape();
    }
    Set<String> wanted = new HashSet<>(names);
    // The registry names a family without its suffix; people ask for the names they see in the output.
    return registry.scrape(family -> wanted.contains(family) || wanted.contains(family + "_total")
        || wanted.contains(family + "_info"));
  }

  @Override
  public void close() {
    tls.close();
    try {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.log(Level.FINE, "closing the HTTP server", e);
    } finally {
      vertx.close();
    }
  }
}
