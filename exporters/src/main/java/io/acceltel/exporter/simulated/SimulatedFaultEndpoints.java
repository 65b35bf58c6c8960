package io.acceltel.exporter.simulated;

import io.acceltel.exporter.http.Endpoint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fault injection over HTTP for the simulated backend, so {@code acceltel demo} can show health changes. Served
 * only when the devices are simulated, on the exporter's own listener (loopback unless configured otherwise):
 *
 * <pre>{@code
 * curl -X POST '127.0.0.1:9835/simulate/xid?device=3&xid=79'        # GPU 3 falls off the bus
 * curl -X POST '127.0.0.1:9835/simulate/thermal?device=5&on=true'    # GPU 5 slows down for heat
 * curl -X POST '127.0.0.1:9835/simulate/lost?device=2&on=true'       # GPU 2 stops answering
 * }</pre>
 *
 * <p>Each takes effect at the device's next read; the answer says what was done. Injected XIDs cannot be taken
 * back (as on a real GPU, the count only grows): restart the demo to clear them.
 */
public final class SimulatedFaultEndpoints {
  private SimulatedFaultEndpoints() {}

  /** The routes, by path. */
  public static Map<String, Endpoint> of(SimulatedBackend backend) {
    Map<String, Endpoint> routes = new LinkedHashMap<>();
    routes.put("/simulate/xid", post((p, device) -> {
      int xid = integer(p, "xid");
      backend.injectXid(device, xid);
      return "injected XID " + xid + " on simulated device " + device;
    }));
    routes.put("/simulate/thermal", post((p, device) -> {
      boolean on = flag(p);
      backend.injectThermalSlowdown(device, on);
      return "thermal slowdown " + (on ? "on" : "off") + " on simulated device " + device;
    }));
    routes.put("/simulate/lost", post((p, device) -> {
      boolean on = flag(p);
      backend.loseDevice(device, on);
      return "simulated device " + device + (on ? " is lost" : " answers again");
    }));
    return routes;
  }

  /** A fault action: takes the parameters and the device, returns what it did. */
  @FunctionalInterface
  private interface Fault {
    String apply(Map<String, List<String>> params, int device);
  }

  private static Endpoint post(Fault fault) {
    return (method, params) -> {
      if (!method.equals("POST")) {
        return Endpoint.Response.text(405, "use POST to inject a fault\n");
      }
      try {
        return Endpoint.Response.text(200, fault.apply(params, integer(params, "device")) + "\n");
      } catch (IllegalArgumentException e) {
        return Endpoint.Response.text(400, e.getMessage() + "\n");
      }
    };
  }

  private static int integer(Map<String, List<String>> params, String name) {
    String value = first(params, name);
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " = '" + value + "': expected a whole number");
    }
  }

  private static boolean flag(Map<String, List<String>> params) {
    String value = params.containsKey("on") ? first(params, "on") : "true";
    if (!value.equals("true") && !value.equals("false")) {
      throw new IllegalArgumentException("on = '" + value + "': expected true or false");
    }
    return Boolean.parseBoolean(value);
  }

  private static String first(Map<String, List<String>> params, String name) {
    List<String> values = params.get(name);
    if (values == null || values.isEmpty()) {
      throw new IllegalArgumentException("missing query parameter " + name + ", e.g. ?device=3&xid=79");
    }
    return values.get(0);
  }
}
