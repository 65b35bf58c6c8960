package io.acceltel.exporter.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.acceltel.exporter.NodeExporter;
import io.acceltel.exporter.config.ExporterConfig;
import io.acceltel.model.testing.Await;
import io.acceltel.exporter.testing.SimulatedNode;
import io.acceltel.exporter.testing.ExporterHttp;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real exporter on simulated devices: faults injected over HTTP show up in {@code /health/devices} and in the
 * {@code accelerator_health_state} metric, the way a pre-flight check and Prometheus see them.
 */
class HealthEndpointTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final List<String> announced = new ArrayList<>();
  private static NodeExporter exporter;

  @BeforeAll
  static void start() throws Exception {
    ExporterConfig config = SimulatedNode.config(SimulatedNode.source("node-h", 6));
    exporter = NodeExporter.start(config, List.of(), announced::add);
    Await.until("the first health report", WAIT, () -> send("GET", "/health/devices").statusCode() == 200);
  }

  @AfterAll
  static void stop() {
    exporter.close();
  }

  private static HttpResponse<String> send(String method, String path) {
    return ExporterHttp.send(exporter, method, path);
  }

  private static JsonNode report() {
    try {
      return JSON.readTree(send("GET", "/health/devices").body());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static JsonNode device(JsonNode report, int index) {
    for (JsonNode d : report.get("devices")) {
      if (d.get("index").asInt() == index) {
        return d;
      }
    }
    throw new AssertionError("no device " + index + " in " + report);
  }

  @Test
  void anInjectedXid79IsReportedFailedWithTheReasonAndTheAction() {
    HttpResponse<String> injected = send("POST", "/simulate/xid?device=3&xid=79");
    assertThat(injected.statusCode()).isEqualTo(200);
    assertThat(injected.body()).isEqualTo("injected XID 79 on simulated device 3\n");

    Await.until("device 3 failed", WAIT, () -> device(report(), 3).get("state").asText().equals("failed"));
    JsonNode report = report();
    assertThat(report.get("node").asText()).isEqualTo("node-h");
    assertThat(report.get("status").asText()).isEqualTo("failed");
    assertThat(report.get("timestamp").asText()).endsWith("Z");
    JsonNode gpu3 = device(report, 3);
    assertThat(gpu3.get("uuid").asText()).startsWith("GPU-");
    assertThat(gpu3.get("vendor").asText()).isEqualTo("nvidia");
    JsonNode reason = gpu3.get("reasons").get(0);
    assertThat(reason.get("code").asText()).isEqualTo("xid_79");
    assertThat(reason.get("state").asText()).isEqualTo("failed");
    assertThat(reason.get("detail").asText()).startsWith("GPU has fallen off the bus (XID 79");
    assertThat(reason.get("action").asText()).isEqualTo("reboot the node");
    assertThat(device(report, 0).get("state").asText()).isEqualTo("healthy");
    assertThat(device(report, 0).get("reasons")).isEmpty();

    assertThat(send("GET", "/health/devices?fail_on=failed").statusCode()).isEqualTo(503);
    String metrics = send("GET", "/metrics").body();
    assertThat(metrics).containsPattern(
        "accelerator_health_state\\{[^}]*device=\"3\"[^}]*state=\"failed\"[^}]*} 1");
    assertThat(metrics).containsPattern(
        "accelerator_health_reason_active\\{[^}]*device=\"3\"[^}]*reason=\"xid_79\",state=\"failed\"[^}]*} 1");
  }

  @Test
  void anInjectedThermalSlowdownIsReportedDegraded() {
    assertThat(send("POST", "/simulate/thermal?device=5&on=true").statusCode()).isEqualTo(200);
    Await.until("device 5 degraded", WAIT, () -> device(report(), 5).get("state").asText().equals("degraded"));
    JsonNode reason = device(report(), 5).get("reasons").get(0);
    assertThat(reason.get("code").asText()).isEqualTo("thermal_slowdown");
    assertThat(reason.get("detail").asText()).contains("hw_thermal_slowdown");
    assertThat(reason.get("action").asText()).startsWith("check cooling");
    Await.until("degraded in the metric", WAIT, () -> send("GET", "/metrics").body().matches(
        "(?s).*accelerator_health_state\\{[^}]*device=\"5\"[^}]*state=\"degraded\"[^}]*} 1.*"));

    assertThat(send("POST", "/simulate/thermal?device=5&on=false").statusCode()).isEqualTo(200);
    // It leaves only after a minute clear (HealthRules.HOLD_MILLIS), so that a bit the driver toggles cannot flap.
    Await.until("device 5's slowdown held after it cleared", WAIT, () -> device(report(), 5).get("reasons").get(0)
        .get("detail").asText().contains("held until a minute clear"));
    assertThat(device(report(), 5).get("state").asText()).isEqualTo("degraded");
  }

  @Test
  void aLostDeviceIsFailedUntilItAnswersAgain() {
    assertThat(send("POST", "/simulate/lost?device=4&on=true").statusCode()).isEqualTo(200);
    Await.until("device 4 lost", WAIT, () -> device(report(), 4).get("reasons").toString().contains("device_lost"));
    assertThat(send("POST", "/simulate/lost?device=4&on=false").statusCode()).isEqualTo(200);
    Await.until("device 4 back", WAIT, () -> device(report(), 4).get("state").asText().equals("healthy"));
  }

  @Test
  void badRequestsAreRefusedWithTheReason() {
    assertThat(send("GET", "/simulate/xid?device=3&xid=79").statusCode()).isEqualTo(405);
    HttpResponse<String> noDevice = send("POST", "/simulate/xid?device=42&xid=79");
    assertThat(noDevice.statusCode()).isEqualTo(400);
    assertThat(noDevice.body()).contains("device 42 does not exist");
    assertThat(send("POST", "/simulate/xid?xid=79").body()).contains("missing query parameter device");
    HttpResponse<String> badFailOn = send("GET", "/health/devices?fail_on=sometimes");
    assertThat(badFailOn.statusCode()).isEqualTo(400);
    assertThat(badFailOn.body()).isEqualTo("fail_on = 'sometimes': allowed values are failed, degraded\n");
    assertThat(send("POST", "/health/devices").statusCode()).isEqualTo(405);
  }

  @Test
  void theDemoAnnouncesFaultInjection() {
    assertThat(announced).anyMatch(line -> line.contains("POST /simulate/xid?device=N&xid=79"));
  }
}
