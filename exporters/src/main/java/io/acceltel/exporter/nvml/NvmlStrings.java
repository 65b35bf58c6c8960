package io.acceltel.exporter.nvml;

import com.sun.jna.Native;
import io.acceltel.exporter.device.DeviceLostException;
import java.nio.charset.StandardCharsets;

/** Reads NUL-terminated strings NVML wrote into a caller's {@code char[]}. */
final class NvmlStrings {
  private NvmlStrings() {}

  /** The string, or null when the call did not succeed (the guard has reported it). */
  static String read(CallGuard guard, String function, int rc, byte[] buffer) throws DeviceLostException {
    return guard.ok(rc, function) ? decode(buffer) : null;
  }

  /**
   * As {@link #read(CallGuard, String, int, byte[])}, but returns {@code previous} itself when the buffer holds the
   * same ASCII text (an identifier read every tick), so that an unchanged value allocates nothing.
   */
  static String read(CallGuard guard, String function, int rc, byte[] buffer, String previous)
      throws DeviceLostException {
    if (!guard.ok(rc, function)) {
      return null;
    }
    return previous != null && holds(buffer, previous) ? previous : decode(buffer);
  }

  private static boolean holds(byte[] buffer, String ascii) {
    int n = ascii.length();
    if (n >= buffer.length || buffer[n] != 0) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (buffer[i] != ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  static String decode(byte[] buffer) {
    return Native.toString(buffer, StandardCharsets.UTF_8.name());
  }
}
