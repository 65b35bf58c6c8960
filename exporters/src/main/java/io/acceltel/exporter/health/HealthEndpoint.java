package io.acceltel.exporter.health;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.acceltel.exporter.http.Endpoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /health/devices}: the node's device health as JSON, for a training platform's pre-flight check.
 *
 * <pre>{@code
 * $ curl -s 127.0.0.1:9835/health/devices
 * {"node":"gpu-node-17","timestamp":"2026-05-01T12:00:01Z","timestamp_ms":1777636801000,"status":"failed",
 *  "devices":[{"index":3,"uuid":"GPU-…","model":"NVIDIA H100 80GB HBM3","vendor":"nvidia","state":"failed",
 *  "reasons":[{"code":"xid_79","state":"failed","detail":"GPU has fallen off the bus (XID 79, …)",
 *  "action":"reboot the node"}]}, …]}
 * }</pre>
 *
 * <p>The answer is 200 whatever the state, so a dashboard can always read it; a check that wants the status code
 * to decide adds {@code ?fail_on=failed} (503 when a device or a node reason failed) or {@code ?fail_on=degraded}
 * (503 when the node's status is degraded or failed). Before the first tick completes, and when the last report
 * is older than the allowed age (the collection loop is stuck), the answer is 503 with status {@code unknown}: a
 * pre-flight check must not place work on a verdict nobody renews.
 */
public final class HealthEndpoint implements Endpoint {
  public static final String PATH = "/health/devices";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Supplier<Optional<NodeHealth>> health;
  private final Duration maxAge;
  private final LongSupplier clockMillis;

  /**
   * @param maxAge how old the last report may be before it is no longer served
   * @param clockMillis the wall clock the report's (wall-clock aligned) tick timestamp is compared with
   */
  public HealthEndpoint(Supplier<Optional<NodeHealth>> health, Duration maxAge, LongSupplier clockMillis) {
    this.health = health;
    this.maxAge = maxAge;
    this.clockMillis = clockMillis;
  }

  /** Five intervals, and never under 10 s: a GC pause or a slow tick must not fail a pre-flight check. */
  public static Duration maxAge(Duration interval) {
    return Collections.max(List.of(interval.multipliedBy(5), Duration.ofSeconds(10)));
  }

  @Override
  public Response handle(String method, Map<String, List<String>> params) {
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return Response.text(405, "only GET is supported on " + PATH + "\n");
    }
    HealthState failOn = null;
    List<String> failOnValues = params.getOrDefault("fail_on", List.of());
    if (!failOnValues.isEmpty()) {
      failOn = HealthState.fromLabel(failOnValues.get(0));
      if (failOn == null || failOn == HealthState.HEALTHY) {
        return Response.text(400, "fail_on = '" + failOnValues.get(0) + "': allowed values are failed, degraded\n");
      }
    }
    Optional<NodeHealth> latest = health.get();
    if (latest.isEmpty()) {
      return Response.json(503, "{\"status\":\"unknown\",\"error\":\"no complete tick yet\",\"devices\":[]}");
    }
    NodeHealth node = latest.get();
    long ageMillis = clockMillis.getAsLong() - node.timestampMillis();
    if (ageMillis > maxAge.toMillis()) {
      return Response.json(503, "{\"status\":\"unknown\",\"error\":\"the last health report is " + ageMillis / 1000
          + " s old (limit " + maxAge.toSeconds() + " s): the collection loop is stuck\",\"timestamp_ms\":"
          + node.timestampMillis() + ",\"devices\":[]}");
    }
    int status = failOn != null && node.status().ordinal() >= failOn.ordinal() ? 503 : 200;
    return Response.json(status, render(node));
  }

  /** The JSON document; field order is fixed so that people can read it too. */
  public static String render(NodeHealth node) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("node", node.node());
    doc.put("timestamp", Instant.ofEpochMilli(node.timestampMillis()).toString());
    doc.put("timestamp_ms", node.timestampMillis());
    doc.put("status", node.status().label());
    if (!node.reasons().isEmpty()) {
      doc.put("reasons", reasons(node.reasons()));
    }
    List<Object> devices = new ArrayList<>(node.devices().size());
    for (DeviceHealth d : node.devices()) {
      Map<String, Object> device = new LinkedHashMap<>();
      device.put("index", d.identity().index());
      device.put("uuid", d.identity().uuid());
      device.put("model", d.identity().model());
      device.put("vendor", d.identity().vendor().label());
      device.put("state", d.state().label());
      device.put("reasons", reasons(d.reasons()));
      devices.add(device);
    }
    doc.put("devices", devices);
    try {
      return JSON.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render the health report as JSON", e);
    }
  }

  private static List<Object> reasons(List<HealthReason> reasons) {
    List<Object> out = new ArrayList<>(reasons.size());
    for (HealthReason r : reasons) {
      Map<String, Object> reason = new LinkedHashMap<>();
      reason.put("code", r.code());
      reason.put("state", r.state().label());
      reason.put("detail", r.detail());
      reason.put("action", r.action());
      out.add(reason);
    }
    return out;
  }
}
