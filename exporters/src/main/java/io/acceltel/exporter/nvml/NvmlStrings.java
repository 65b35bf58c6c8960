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

  static String decode(byte[] buffer) {
    return Native.toString(buffer, StandardCharsets.UTF_8.name());
  }
}
