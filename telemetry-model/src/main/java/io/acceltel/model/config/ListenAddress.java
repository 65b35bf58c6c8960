package io.acceltel.model.config;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;

/**
 * The {@code listen} key: {@code host:port}, where the host must be an address this node can bind (a wildcard,
 * loopback or one of its interfaces'). Checked when the configuration is read, so that a typo exits 2 naming the
 * key rather than failing later at bind time.
 *
 * <pre>{@code
 * ListenAddress listen = ListenAddress.parse("listen", "127.0.0.1:9835", "127.0.0.1:9835 or 0.0.0.0:9835");
 * }</pre>
 */
public record ListenAddress(String host, int port) {
  /** @param example shown after "expected host:port, e.g." */
  public static ListenAddress parse(String key, String value, String example) throws ConfigException {
    int colon = value.lastIndexOf(':');
    if (colon <= 0) {
      throw ConfigException.badValue(key, value, "expected host:port, e.g. " + example);
    }
    String host = value.substring(0, colon);
    int port = ConfigValues.integer(key, value.substring(colon + 1), 0, 65535);
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (bare.isBlank()) {
      throw ConfigException.badValue(key, value, "expected host:port, e.g. " + example);
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(bare); // the first address, the one the listener binds
    } catch (UnknownHostException e) {
      throw ConfigException.badValue(key, value, "a host that resolves on this node; '" + host + "' does not "
          + "(give an address, such as 127.0.0.1 or 0.0.0.0)");
    }
    if (!bindable(address)) {
      throw ConfigException.badValue(key, value, "an address of this node; '" + host + "' (" + address.getHostAddress()
          + ") is none of its interfaces' (0.0.0.0 listens on all of them)");
    }
    return new ListenAddress(host, port);
  }

  private static boolean bindable(InetAddress address) {
    if (address.isAnyLocalAddress() || address.isLoopbackAddress()) {
      return true;
    }
    try {
      return NetworkInterface.getByInetAddress(address) != null;
    } catch (SocketException e) {
      return true; // cannot tell: let the bind decide
    }
  }
}
