package io.acceltel.aggregator.api;

import io.acceltel.aggregator.http.BoundedBody;
import io.acceltel.aggregator.http.AggregatorHttpServer;
import io.acceltel.aggregator.query.QueryBudget;
import io.acceltel.aggregator.query.RangeResultCache;
import io.acceltel.aggregator.query.StorageQueryable;
import io.acceltel.aggregator.storage.Querier;
import io.acceltel.aggregator.storage.Resolution;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.series.Labels;
import io.acceltel.model.text.Excerpt;
import io.acceltel.promql.engine.Engine;
import io.acceltel.promql.engine.QueryEngine;
import io.acceltel.promql.engine.QueryException;
import io.acceltel.promql.engine.QueryOptions;
import io.acceltel.promql.engine.QueryResult;
import io.acceltel.promql.parser.Exprs;
import io.acceltel.promql.storage.SelectHints;
import io.acceltel.promql.value.Matrix;
import io.acceltel.promql.value.Sample;
import io.acceltel.promql.value.Scalar;
import io.acceltel.promql.value.Series;
import io.acceltel.promql.value.StringValue;
import io.acceltel.promql.value.Value;
import io.acceltel.promql.value.Vector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Prometheus's HTTP query API (v1) over the aggregator's storage: {@code /api/v1/query}, {@code query_range},
 * {@code series}, {@code labels} (GET and POST with a form body), {@code label/<name>/values}, {@code metadata}
 * (from the metric catalog), {@code status/buildinfo} and an empty {@code query_exemplars}, with Prometheus's JSON,
 * error types and status codes. See {@code docs/querying.md}.
 *
 * <pre>{@code
 * PrometheusApi api = new PrometheusApi(storage.querier(), Optional.of(new Engine()), QueryLimits.DEFAULT, "0.1.0",
 *     System::currentTimeMillis, registry, cache);
 * api.register(http);      // routes on the aggregator's listener
 * ...
 * api.close();             // stops the query workers
 * }</pre>
 *
 * <p>Threads: requests arrive on the Vert.x event loop, which only collects the form body (and answers a small range
 * query whose steps are all in the result cache: {@link #INLINE_POINTS}); parsing, storage reads,
 * evaluation and JSON encoding run on a bounded pool of {@link QueryLimits#maxConcurrent()} workers with a queue of
 * {@link QueryLimits#maxQueued()}. When both are full the request is refused at once (503 {@code unavailable}), so a
 * burst costs bounded memory. The response is written back on the request's event loop. A client that disconnects
 * cancels its query ({@code canceled}, 499); the deadline ({@code timeout}, 503) runs from the request's arrival.
 *
 * <p>Range queries go through the {@link RangeResultCache} unless they ask {@code nocache=1}, their steps do not
 * each depend on their own time alone, or the request's lookback comes from a resolution that fell back.
 */
public final class PrometheusApi implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PrometheusApi.class.getName());
  /** The slow-query log: one line per query slower than {@link QueryLimits#slowQueryThreshold()}. */
  static final Logger QUERY_LOG = Logger.getLogger("io.acceltel.aggregator.api.QueryLog");
  static final String PROMETHEUS_API_VERSION = "2.42.0";
  private static final int MAX_FORM_BYTES = 8 << 20;
  /** All form bodies being received or answered at once: eight of the largest, far more of Grafana's usual few KB. */
  static final long MAX_FORM_BYTES_HELD = 64L << 20;
  /**
   * Responses larger than this are sent uncompressed: Vert.x compresses on the event loop, and gzipping hundreds
   * of MiB there would stall every connection on that loop (remote_write too) for seconds.
   */
  static final int MAX_COMPRESSED_REPLY_BYTES = 16 << 20;
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  /** The most points a range query answered from kept steps may have to be written on the event loop. */
  static final int INLINE_POINTS = 2_000;
  private static final byte[] EMPTY_LIST_OK = "{\"status\":\"success\",\"data\":[]}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] NO_RULE_GROUPS =
      "{\"status\":\"success\",\"data\":{\"groups\":[]}}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] NO_ALERTS =
      "{\"status\":\"success\",\"data\":{\"alerts\":[]}}".getBytes(StandardCharsets.UTF_8);

  private final Querier querier;
  private final Optional<QueryEngine> engine;
  private final QueryLimits limits;
  private final String version;
  private final LongSupplier clock;
  private final ThreadPoolExecutor workers;
  private final QueryStats stats;
  private final RangeResultCache cache;
  /** Bytes of form bodies claimed by requests being received or answered; see {@link #MAX_FORM_BYTES_HELD}. */
  private final AtomicLong formBytesHeld = new AtomicLong();

  public PrometheusApi(Querier querier, Optional<QueryEngine> engine, QueryLimits limits, String version,
      LongSupplier clock, PrometheusRegistry registry, RangeResultCache cache) {
    this.stats = new QueryStats(registry);
    this.cache = cache;
    this.querier = querier;
    this.engine = engine;
    this.limits = limits;
    this.version = version;
    this.clock = clock;
    AtomicInteger n = new AtomicInteger();
    this.workers = new ThreadPoolExecutor(limits.maxConcurrent(), limits.maxConcurrent(), 60, TimeUnit.SECONDS,
        limits.maxQueued() == 0 ? new java.util.concurrent.SynchronousQueue<>()
            : new ArrayBlockingQueue<>(limits.maxQueued()),
        r -> {
          Thread t = new Thread(r, "acceltel-query-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    this.workers.allowCoreThreadTimeOut(true);
  }

  public QueryLimits limits() {
    return limits;
  }

  /** Adds the API's routes to the aggregator's HTTP listener. */
  public void register(AggregatorHttpServer http) {
    http.route("/api/v1/query", r -> accept(r, true, "query", this::query));
    http.route("/api/v1/query_range", r -> accept(r, true, "query_range", this::queryRange,
        this::queryRangeFromKeptSteps));
    http.route("/api/v1/series", r -> accept(r, true, "series", this::series));
    http.route("/api/v1/labels", r -> accept(r, true, "labels", this::labels));
    http.route("/api/v1/metadata", r -> accept(r, false, "metadata", this::metadata));
    http.route("/api/v1/status/buildinfo", r -> accept(r, false, "buildinfo", this::buildInfo));
    http.route("/api/v1/query_exemplars", r -> accept(r, true, "query_exemplars",
        (p, c) -> new Reply(200, EMPTY_LIST_OK, null)));
    // No alerting rules are evaluated here (Alertmanager-facing rules run in Prometheus): empty, as a Prometheus
    // without rules answers, so Grafana's alert list shows none instead of "ruler API not enabled".
    http.route("/api/v1/rules", r -> accept(r, false, "rules", (p, c) -> new Reply(200, NO_RULE_GROUPS, null)));
    http.route("/api/v1/alerts", r -> accept(r, false, "alerts", (p, c) -> new Reply(200, NO_ALERTS, null)));
    http.routePrefix("/api/v1/label/", r -> {
      String name = labelValuesName(r.path());
      if (name == null) {
        notFound(r);
      } else {
        accept(r, false, "label_values", (p, c) -> labelValues(checkLabelName(name), p, c));
      }
    });
  }

  @Override
  public void close() {
    workers.shutdownNow();
  }

  // ---------------------------------------------------------------- plumbing

  /** One request's work, run on a worker: parameters in, a reply out. */
  @FunctionalInterface
  interface Endpoint {
    Reply handle(ApiParams params, Call call);
  }

  /**
   * The request's state that a worker sees: arrival time, whether the client has gone, and the samples its query
   * read (for the metrics).
   */
  record Call(long arrivalNanos, AtomicBoolean gone, AtomicLong samples) {}

  /** An answer: status, JSON body, and the error type (null on success). */
  record Reply(int status, byte[] body, String errorType) {}

  private void accept(HttpServerRequest request, boolean allowPost, String name, Endpoint endpoint) {
    accept(request, allowPost, name, endpoint, null);
  }

  /**
   * @param inline answers on the event loop when it can do so at once, else returns null and {@code endpoint}
   *     answers on a worker; any failure of it leaves the request to {@code endpoint}, errors included
   */
  private void accept(HttpServerRequest request, boolean allowPost, String name, Endpoint endpoint,
      Endpoint inline) {
    HttpMethod method = request.method();
    if (method != HttpMethod.GET && !(allowPost && method == HttpMethod.POST)) {
      request.response().setStatusCode(405).putHeader("Allow", allowPost ? "GET, POST" : "GET")
          .putHeader("Content-Type", "application/json")
          .end(Buffer.buffer(error(new ApiError("bad_data", 405, "method " + method + " not allowed; use "
              + (allowPost ? "GET or POST" : "GET"))).body()));
      return;
    }
    Call call = new Call(System.nanoTime(), new AtomicBoolean(), new AtomicLong());
    Context context = Vertx.currentContext();
    if (method != HttpMethod.POST) {
      request.response().closeHandler(v -> call.gone().set(true));
      dispatch(request, context, call, name, endpoint, inline, request.query(), null);
      return;
    }
    String contentType = request.getHeader("Content-Type");
    boolean form = contentType != null
        && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    // Form bodies are held from their first byte until the answer is sent, before the worker pool's bounds apply:
    // what they may take together is bounded here, by what each says it will send (or the most it may).
    long claim = formBytesClaimed(BoundedBody.declaredLength(request));
    if (formBytesHeld.addAndGet(claim) > MAX_FORM_BYTES_HELD) {
      formBytesHeld.addAndGet(-claim);
      send(request, error(ApiError.unavailable("too many POST bodies are being received at once (" + (
          MAX_FORM_BYTES_HELD >> 20) + " MiB together); retry, or send the query by GET")));
      return;
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release = () -> {
      if (released.compareAndSet(false, true)) {
        formBytesHeld.addAndGet(-claim);
      }
    };
    request.response().endHandler(v -> release.run());
    request.response().closeHandler(v -> {
      call.gone().set(true);
      release.run();
    });
    BoundedBody.read(request, MAX_FORM_BYTES, BoundedBody.DEFAULT_DEADLINE,
        () -> send(request, error(ApiError.badData("http: POST too large: the form body is over " + MAX_FORM_BYTES
            + " bytes"))),
        body -> dispatch(request, context, call, name, endpoint, inline, request.query(),
            form ? body.toString(StandardCharsets.UTF_8) : null));
  }

  private void dispatch(HttpServerRequest request, Context context, Call call, String name, Endpoint endpoint,
      Endpoint inline, String query, String form) {
    if (inline != null) {
      Reply answer;
      try {
        answer = inline.handle(ApiParams.parse(query, form), call);
      } catch (RuntimeException e) {
        answer = null; // the worker answers, with the same error if there is one
      }
      if (answer != null) {
        stats.observe(name, "success", (System.nanoTime() - call.arrivalNanos()) / 1e9, 0);
        send(request, answer);
        return;
      }
    }
    try {
      workers.execute(() -> {
        Reply reply;
        try {
          reply = endpoint.handle(ApiParams.parse(query, form), call);
        } catch (ApiError e) {
          reply = error(e);
        } catch (QueryException e) {
          reply = error(ApiError.of(e));
        } catch (StackOverflowError e) {
          reply = error(ApiError.invalidParam("query", "the expression is nested too deeply"));
        } catch (OutOfMemoryError e) {
          reply = error(ApiError.execution("the query ran out of memory; narrow it or lower the step"));
        } catch (RuntimeException | Error e) {
          // Every request gets an answer, whatever failed: a client must never hang on a bug.
          LOG.log(Level.WARNING, "query API request failed: " + Excerpt.escaped(request.uri(), Excerpt.MAX_CHARS), e);
          reply = error(ApiError.internal(String.valueOf(e.getMessage())));
        }
        Reply r = reply;
        stats.observe(name, r.errorType() == null ? "success" : r.errorType(),
            (System.nanoTime() - call.arrivalNanos()) / 1e9, call.samples().get());
        context.runOnContext(v -> send(request, r));
      });
    } catch (RejectedExecutionException e) {
      stats.observe(name, "unavailable", (System.nanoTime() - call.arrivalNanos()) / 1e9, 0);
      send(request, error(ApiError.unavailable("too many concurrent queries: " + limits.maxConcurrent()
          + " running and " + limits.maxQueued() + " waiting; retry later")));
    }
  }

  private static void send(HttpServerRequest request, Reply reply) {
    if (request.response().ended() || request.response().closed()) {
      return;
    }
    if (reply.body().length > MAX_COMPRESSED_REPLY_BYTES) {
      request.response().putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY);
    }
    request.response().setStatusCode(reply.status()).putHeader("Content-Type", "application/json")
        .end(Buffer.buffer(reply.body()));
  }

  /** What a form body may take: its declared length when that is within the limit, else the limit. */
  private static long formBytesClaimed(long declaredLength) {
    return declaredLength >= 0 && declaredLength <= MAX_FORM_BYTES ? declaredLength : MAX_FORM_BYTES;
  }

  private static void notFound(HttpServerRequest request) {
    request.response().setStatusCode(404).end("not found: " + request.path() + "\n");
  }

  static Reply error(ApiError e) {
    JsonWriter w = new JsonWriter(256);
    w.beginObject().name("status").string("error").name("errorType").string(e.type()).name("error")
        .string(e.getMessage()).endObject();
    return new Reply(e.status(), w.toBytes(), e.type());
  }

  private static JsonWriter success(int capacity) {
    JsonWriter w = new JsonWriter(capacity);
    w.beginObject().name("status").string("success").name("data");
    return w;
  }

  private static Reply finish(JsonWriter w, List<String> warnings) {
    if (!warnings.isEmpty()) {
      w.name("warnings").beginArray();
      for (String s : warnings) {
        w.string(s);
      }
      w.endArray();
    }
    w.endObject();
    return new Reply(200, w.toBytes(), null);
  }

  // ---------------------------------------------------------------- queries

  private Reply query(ApiParams p, Call call) {
    long time = p.time("time", clock.getAsLong());
    Duration timeout = timeout(p);
    long lookback = p.value("lookback_delta").isEmpty() ? limits.lookbackDelta().toMillis() : lookbackDelta(p);
    long msr = maxSourceResolution(p);
    int limit = p.limit("limit");
    String q = p.value("query");
    return evaluate(call, q, time, time, 0, timeout, lookback, msr, limit, "query", false);
  }

  /** A range query's parameters, validated. */
  private record RangeParams(String query, long start, long end, long step, long lookback, long msr, int limit,
      boolean mayCache) {}

  private RangeParams rangeParams(ApiParams p) {
    long start = p.requiredTime("start");
    long end = p.requiredTime("end");
    if (end < start) {
      throw ApiError.invalidParam("end", "end timestamp must not be before start time");
    }
    long step;
    try {
      step = ApiParams.parseDuration(p.value("step"));
    } catch (IllegalArgumentException e) {
      throw ApiError.invalidParam("step", e.getMessage());
    }
    if (step <= 0) {
      throw ApiError.invalidParam("step",
          "zero or negative query resolution step widths are not accepted. Try a positive integer");
    }
    long span;
    try {
      span = Math.subtractExact(end, start);
    } catch (ArithmeticException e) {
      span = Long.MAX_VALUE; // saturates, as Go's Time.Sub does, rather than wrapping into a small span
    }
    if (span / step > QueryLimits.MAX_POINTS_PER_SERIES) {
      throw ApiError.badData("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the "
          + "query resolution (?step=XX)");
    }
    long lookback = p.value("lookback_delta").isEmpty() ? limits.lookbackDelta().toMillis() : lookbackDelta(p);
    return new RangeParams(p.value("query"), start, end, step, lookback, maxSourceResolution(p), p.limit("limit"),
        !isTrue(p.value("nocache")));
  }

  private Reply queryRange(ApiParams p, Call call) {
    RangeParams r = rangeParams(p);
    return evaluate(call, r.query(), r.start(), r.end(), r.step(), timeout(p), r.lookback(), r.msr(), r.limit(),
        "query_range", r.mayCache());
  }

  /**
   * A range query whose steps are all kept and few ({@link #INLINE_POINTS}), answered on the event loop: handing
   * it to a worker and back would cost more than the answer. Null when that is not so.
   */
  private Reply queryRangeFromKeptSteps(ApiParams p, Call call) {
    RangeParams r = rangeParams(p);
    if (!r.mayCache() || engine.isEmpty() || !isPreferred(StorageQueryable.choose(querier, r.start() - r.lookback(),
        r.end(), r.step(), 0, r.msr(), null), r.step(), r.msr())) {
      return null;
    }
    RangeResultCache.Part kept = cache.kept(RangeResultCache.Key.of(r.query(), r.start(), r.step(), r.lookback(),
        r.msr()), r.start(), r.end(), INLINE_POINTS);
    return kept == null ? null : valueReply(kept.matrix(), new ArrayList<>(), r.limit());
  }

  /**
   * Whether {@code plain}, the resolution a request's plain selectors read, is the one its step asks for: false when
   * retention made it fall back, which makes the lookback, and so every step, depend on the whole range.
   */
  private boolean isPreferred(Resolution plain, long step, long msr) {
    return plain.equals(StorageQueryable.preferred(querier, step, 0, msr));
  }

  /** VictoriaMetrics' {@code nocache=1}: evaluate every step, neither reading nor filling the result cache. */
  private static boolean isTrue(String v) {
    return v.equals("1") || v.equalsIgnoreCase("true");
  }

  private Duration timeout(ApiParams p) {
    long requested = p.duration("timeout", -1);
    long max = limits.timeout().toMillis();
    if (requested > 0 && requested < max) {
      return Duration.ofMillis(requested);
    }
    return limits.timeout();
  }

  /** {@code lookback_delta}; zero or negative means the default, as in Prometheus's engine. */
  private long lookbackDelta(ApiParams p) {
    long d;
    try {
      d = ApiParams.parseDuration(p.value("lookback_delta"));
    } catch (IllegalArgumentException e) {
      throw ApiError.badData("error parsing lookback delta duration: " + e.getMessage());
    }
    return d > 0 ? d : limits.lookbackDelta().toMillis();
  }

  /** {@code max_source_resolution}: {@code auto} or absent = automatic, else a duration ({@code 0} = raw). */
  private static long maxSourceResolution(ApiParams p) {
    String v = p.value("max_source_resolution");
    if (v.isEmpty() || v.equals("auto")) {
      return SelectHints.AUTO_RESOLUTION;
    }
    long d = p.duration("max_source_resolution", 0);
    if (d < 0) {
      throw ApiError.invalidParam("max_source_resolution", "negative duration " + v + " is not allowed; give 0 "
          + "(raw), a duration such as 5m, or auto");
    }
    return d;
  }

  private Reply evaluate(Call call, String q, long start, long end, long step, Duration timeout, long lookback,
      long msr, int limit, String endpoint, boolean mayCache) {
    QueryEngine e = engine.orElseThrow(() -> ApiError.unavailable("this aggregator was started without a PromQL "
        + "engine; series, labels and metadata work"));
    long deadline = call.arrivalNanos() + timeout.toNanos();
    long now = System.nanoTime();
    if (now - deadline >= 0) {
      throw new ApiError("timeout", 503, "query timed out while waiting for a query worker");
    }
    BooleanSupplier canceled = () -> call.gone().get() || System.nanoTime() - deadline >= 0;
    // Tier points are a window apart: a lookback shorter than two windows would see gaps between them.
    Resolution plain = StorageQueryable.choose(querier, start - lookback, end, step, 0, msr, null);
    long effectiveLookback = Math.max(lookback, 2 * plain.millis());
    QueryOptions options = new QueryOptions(Duration.ofMillis(effectiveLookback), limits.maxSamples(),
        Duration.ofNanos(deadline - now), msr);
    Reads reads = new Reads(querier, new QueryBudget(limits.maxSamples(), limits.maxSeries(), canceled));
    long began = System.nanoTime();
    Value value;
    List<String> warnings = new ArrayList<>();
    try {
      if (step == 0) {
        StorageQueryable data = reads.next();
        QueryResult result = e.instant(data, q, start, options, canceled);
        value = result.value();
        warnings.addAll(result.warnings());
        warnings.addAll(data.warnings());
      } else {
        RangeResultCache.Evaluation range = (from, to) -> evaluateRange(e, reads, q, from, to, step, options,
            canceled);
        RangeResultCache.Part answer;
        if (mayCache && cache.enabled() && isPreferred(plain, step, msr) && stepLocal(q)) {
          answer = cache.query(RangeResultCache.Key.of(q, start, step, lookback, msr), start, end, range);
        } else {
          cache.bypassed();
          answer = range.evaluate(start, end);
        }
        value = answer.matrix();
        warnings.addAll(answer.warnings());
      }
    } catch (QueryException ex) {
      // Past the deadline, the engine may notice the canceled supplier before its own timer: still a timeout.
      ApiError error = ex.type() == QueryException.Type.CANCELED && !call.gone().get()
          && System.nanoTime() - deadline >= 0
          ? new ApiError("timeout", 503, "query timed out in expression evaluation") : ApiError.of(ex);
      call.samples().set(reads.samples());
      logIfSlow(endpoint, q, start, end, step, began, reads, error.type());
      throw error;
    }
    call.samples().set(reads.samples());
    logIfSlow(endpoint, q, start, end, step, began, reads, "ok");
    return valueReply(value, warnings, limit);
  }

  private static Reply valueReply(Value value, List<String> warnings, int limit) {
    JsonWriter w = success(16 * 1024);
    w.beginObject().name("resultType").string(value.type()).name("result");
    if (writeValue(w, value, limit)) {
      warnings.add("results truncated due to limit");
    }
    w.endObject();
    return finish(w, warnings);
  }

  /** One evaluation of a range query over {@code [from, to]}, as the result cache asks for it. */
  private RangeResultCache.Part evaluateRange(QueryEngine e, Reads reads, String q, long from, long to, long step,
      QueryOptions options, BooleanSupplier canceled) {
    StorageQueryable data = reads.next();
    QueryResult result = e.range(data, q, from, to, step, options, canceled);
    if (!(result.value() instanceof Matrix m)) {
      throw ApiError.internal("the engine answered a range query with a " + result.value().type());
    }
    List<String> warnings = new ArrayList<>(result.warnings());
    warnings.addAll(data.warnings());
    long coarsest = 0;
    for (Resolution r : data.resolutionsUsed()) {
      coarsest = Math.max(coarsest, r.millis());
    }
    return new RangeResultCache.Part(m, warnings, !data.fellBack(), coarsest);
  }

  /** Whether each step of a range query of {@code q} depends on its own time alone; false when it does not parse. */
  private static boolean stepLocal(String q) {
    try {
      return Exprs.stepLocal(Engine.parse(q));
    } catch (QueryException e) {
      return false; // the engine reports the error
    }
  }

  /** The storage reads of one request, which may evaluate a range query in several parts under one budget. */
  private static final class Reads {
    private final Querier querier;
    private final QueryBudget budget;
    private final List<StorageQueryable> parts = new ArrayList<>(1);

    Reads(Querier querier, QueryBudget budget) {
      this.querier = querier;
      this.budget = budget;
    }

    StorageQueryable next() {
      StorageQueryable data = new StorageQueryable(querier, budget);
      parts.add(data);
      return data;
    }

    long samples() {
      long n = 0;
      for (StorageQueryable p : parts) {
        n += p.samplesRead();
      }
      return n;
    }

    List<Resolution> resolutions() {
      Set<Resolution> all = new LinkedHashSet<>();
      for (StorageQueryable p : parts) {
        all.addAll(p.resolutionsUsed());
      }
      return List.copyOf(all);
    }
  }

  /** Writes the result; true when {@code limit} truncated it. */
  static boolean writeValue(JsonWriter w, Value value, int limit) {
    boolean truncated = false;
    if (value instanceof Scalar s) {
      w.scalarPoint(s.timestampMillis(), s.value());
    } else if (value instanceof StringValue s) {
      w.stringPoint(s.timestampMillis(), s.value());
    } else if (value instanceof Vector v) {
      truncated = limit > 0 && v.samples().size() > limit;
      w.beginArray();
      for (Sample s : truncated ? v.samples().subList(0, limit) : v.samples()) {
        w.beginObject().name("metric");
        labels(w, s.labels());
        w.name("value").point(s.timestampMillis(), s.value()).endObject();
      }
      w.endArray();
    } else if (value instanceof Matrix m) {
      truncated = limit > 0 && m.series().size() > limit;
      w.beginArray();
      for (Series s : truncated ? m.series().subList(0, limit) : m.series()) {
        w.beginObject().name("metric");
        labels(w, s.labels());
        w.name("values").beginArray();
        long[] ts = s.timestamps();
        double[] vs = s.values();
        for (int i = 0; i < ts.length; i++) {
          w.point(ts[i], vs[i]);
        }
        w.endArray().endObject();
      }
      w.endArray();
    }
    return truncated;
  }

  static void labels(JsonWriter w, Labels labels) {
    w.beginObject();
    for (int i = 0; i < labels.size(); i++) {
      w.name(labels.name(i)).string(labels.value(i));
    }
    w.endObject();
  }

  /** Enough of a query to recognise it in the slow-query log, not the megabytes a request may carry. */
  private static final int SLOW_QUERY_LOG_CHARS = 4096;

  private void logIfSlow(String endpoint, String q, long start, long end, long step, long began, Reads reads,
      String outcome) {
    long nanos = System.nanoTime() - began;
    if (nanos < limits.slowQueryThreshold().toNanos()) {
      return;
    }
    StringBuilder line = new StringBuilder(256);
    line.append("slow query: duration=").append(String.format(java.util.Locale.ROOT, "%.3fs", nanos / 1e9))
        .append(" samples=").append(reads.samples())
        .append(" resolutions=").append(reads.resolutions())
        .append(" endpoint=").append(endpoint)
        .append(" start=").append(PromFormat.timestamp(start));
    if (step > 0) {
      line.append(" end=").append(PromFormat.timestamp(end)).append(" step=").append(step / 1000.0).append('s');
    }
    line.append(" outcome=").append(outcome).append(" query=\"")
        .append(Excerpt.escaped(q, SLOW_QUERY_LOG_CHARS)).append('"');
    QUERY_LOG.info(line.toString());
  }

  // ---------------------------------------------------------------- metadata endpoints

  private Reply series(ApiParams p, Call call) {
    List<String> match = p.all("match[]");
    if (match.isEmpty()) {
      throw ApiError.badData("no match[] parameter provided");
    }
    long start = p.time("start", ApiParams.MIN_TIME);
    long end = p.time("end", ApiParams.MAX_TIME);
    List<List<LabelMatcher>> sets = selectors(p);
    int limit = p.limit("limit");
    long deadline = deadline(p, call);
    // The cap is per selector (query.maxSeries). With a limit within it the answer is truncated with a warning, as
    // Prometheus does, and each selector and the union hold only the first limit + 1 series in label order.
    boolean limitWithinCap = limit > 0 && limit <= limits.maxSeries();
    int keep = (int) Math.min(Integer.MAX_VALUE, (limitWithinCap ? limit : (long) limits.maxSeries()) + 1L);
    TreeSet<Labels> all = new TreeSet<>();
    for (List<LabelMatcher> set : sets) {
      List<Labels> selected = querier.series(set, start, end, keep);
      if (!limitWithinCap && selected.size() > limits.maxSeries()) {
        throw ApiError.execution("a match[] selector selects more than " + limits.maxSeries()
            + " series, the limit (query.maxSeries); narrow it, or ask for fewer with limit");
      }
      for (Labels l : selected) {
        if (all.add(l) && limitWithinCap && all.size() > keep) {
          all.pollLast();
        }
      }
      // Each selector is capped, but up to 1,000 of them could still hold a thousand times the cap together.
      if (!limitWithinCap && all.size() > limits.maxSeries()) {
        throw ApiError.execution("the match[] selectors together select more than " + limits.maxSeries()
            + " series, the limit (query.maxSeries); narrow them, or ask for fewer with limit");
      }
      checkGoneOrLate(call, deadline);
    }
    JsonWriter w = success(256 + all.size() * 128).beginArray();
    int n = 0;
    boolean truncated = false;
    for (Labels l : all) {
      if (limit > 0 && n == limit) {
        truncated = true;
        break;
      }
      labels(w, l);
      n++;
    }
    w.endArray();
    return finish(w, truncated ? List.of("results truncated due to limit") : List.of());
  }

  private Reply labels(ApiParams p, Call call) {
    long start = p.time("start", ApiParams.MIN_TIME);
    long end = p.time("end", ApiParams.MAX_TIME);
    List<List<LabelMatcher>> sets = selectors(p);
    int limit = p.limit("limit");
    long deadline = deadline(p, call);
    TreeSet<String> names = new TreeSet<>();
    if (sets.isEmpty()) {
      names.addAll(querier.labelNames(List.of(), start, end));
    }
    for (List<LabelMatcher> set : sets) {
      names.addAll(querier.labelNames(set, start, end));
      checkGoneOrLate(call, deadline);
    }
    return strings(names, limit);
  }

  private Reply labelValues(String name, ApiParams p, Call call) {
    long start = p.time("start", ApiParams.MIN_TIME);
    long end = p.time("end", ApiParams.MAX_TIME);
    List<List<LabelMatcher>> sets = selectors(p);
    int limit = p.limit("limit");
    long deadline = deadline(p, call);
    TreeSet<String> values = new TreeSet<>();
    if (sets.isEmpty()) {
      values.addAll(querier.labelValues(name, List.of(), start, end));
    }
    for (List<LabelMatcher> set : sets) {
      values.addAll(querier.labelValues(name, set, start, end));
      checkGoneOrLate(call, deadline);
    }
    return strings(values, limit);
  }

  private static Reply strings(TreeSet<String> values, int limit) {
    JsonWriter w = success(256 + values.size() * 32).beginArray();
    int n = 0;
    boolean truncated = false;
    for (String v : values) {
      if (limit > 0 && n == limit) {
        truncated = true;
        break;
      }
      w.string(v);
      n++;
    }
    w.endArray();
    return finish(w, truncated ? List.of("results truncated due to limit") : List.of());
  }

  private static void checkGone(Call call) {
    if (call.gone().get()) {
      throw new ApiError("canceled", 499, "the client closed the connection");
    }
  }

  /** When a metadata request's time is up: its arrival plus the request's (capped) timeout, in nanoTime. */
  private long deadline(ApiParams p, Call call) {
    return call.arrivalNanos() + timeout(p).toNanos();
  }

  /** Between the selectors of a metadata request: the client gone, or the query timeout passed. */
  private static void checkGoneOrLate(Call call, long deadlineNanos) {
    checkGone(call);
    if (System.nanoTime() - deadlineNanos > 0) {
      throw new ApiError("timeout", 503, "the metadata request timed out; give fewer match[] selectors or a "
          + "shorter time range");
    }
  }

  /** At most this many match[] selectors in one request: each one is a scan of the index. */
  static final int MAX_SELECTORS = 1000;

  private static List<List<LabelMatcher>> selectors(ApiParams p) {
    List<String> match = p.all("match[]");
    if (match.size() > MAX_SELECTORS) {
      throw ApiError.badData(match.size() + " match[] selectors; at most " + MAX_SELECTORS + " in one request");
    }
    return SeriesSelectors.parseAll(match);
  }

  /**
   * The label name of {@code /api/v1/label/<name>/values}: percent-decoded, {@code U__}-unescaped (Prometheus 3's
   * escaping for names with other characters: {@code U__http_2e_status_code} = {@code http.status_code}); null when
   * the path has another shape.
   */
  static String labelValuesName(String path) {
    String prefix = "/api/v1/label/";
    String suffix = "/values";
    if (!path.startsWith(prefix) || !path.endsWith(suffix) || path.length() <= prefix.length() + suffix.length()) {
      return null;
    }
    String raw = path.substring(prefix.length(), path.length() - suffix.length());
    if (raw.indexOf('/') >= 0) {
      return null;
    }
    String name;
    try {
      name = ApiParams.urlDecode(raw.replace("+", "%2B"), "name");
    } catch (ApiError e) {
      return null;
    }
    return name;
  }

  /** Validates and unescapes a label name for label values; bad_data when it is not a valid name. */
  static String checkLabelName(String name) {
    if (name.startsWith("U__")) {
      String unescaped = unescapeName(name.substring(3));
      if (unescaped == null || unescaped.isEmpty()) {
        throw ApiError.badData("invalid label name: \"" + Excerpt.of(name) + "\"");
      }
      return unescaped;
    }
    if (!LABEL_NAME.matcher(name).matches()) {
      throw ApiError.badData("invalid label name: \"" + Excerpt.of(name) + "\"");
    }
    return name;
  }

  /** Prometheus's value-encoding escape: {@code __} is '_', {@code _<hex>_} is that code point. */
  static String unescapeName(String s) {
    StringBuilder out = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != '_') {
        out.append(c);
        i++;
        continue;
      }
      if (i + 1 < s.length() && s.charAt(i + 1) == '_') {
        out.append('_');
        i += 2;
        continue;
      }
      int close = s.indexOf('_', i + 1);
      if (close < 0 || close == i + 1) {
        return null;
      }
      try {
        int cp = Integer.parseInt(s.substring(i + 1, close), 16);
        if (!Character.isValidCodePoint(cp)) {
          return null;
        }
        out.appendCodePoint(cp);
      } catch (NumberFormatException e) {
        return null;
      }
      i = close + 1;
    }
    return out.toString();
  }

  private Reply metadata(ApiParams p, Call call) {
    int limit = p.limit("limit");
    p.limit("limit_per_metric"); // validated like Prometheus; see below
    String metric = p.value("metric");
    TreeMap<String, MetricDefinition> byName = new TreeMap<>();
    for (MetricDefinition d : MetricCatalog.all()) {
      if (metric.isEmpty() || metric.equals(d.name())) {
        byName.putIfAbsent(d.name(), d);
      }
    }
    JsonWriter w = success(byName.size() * 160 + 64).beginObject();
    int n = 0;
    for (MetricDefinition d : byName.values()) {
      if (limit > 0 && n == limit) {
        break;
      }
      n++;
      w.name(d.name()).beginArray();
      // The catalog holds one definition per name, so limit_per_metric (>= 1) never truncates.
      w.beginObject().name("type").string(d.type().lowerCase()).name("help").string(d.help()).name("unit")
          .string(d.unit().suffix()).endObject();
      w.endArray();
    }
    w.endObject();
    return finish(w, List.of());
  }

  private Reply buildInfo(ApiParams p, Call call) {
    JsonWriter w = success(256).beginObject()
        .name("version").string(PROMETHEUS_API_VERSION)
        .name("revision").string("acceltel-" + version)
        .name("branch").string("acceltel")
        .name("buildUser").string("acceltel")
        .name("buildDate").string("")
        .name("goVersion").string("java" + Runtime.version().feature())
        .name("application").string("acceltel aggregator " + version)
        .name("features").beginObject().endObject()
        .endObject();
    return finish(w, List.of());
  }
}
