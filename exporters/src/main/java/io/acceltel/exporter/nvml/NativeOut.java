package io.acceltel.exporter.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * A small native buffer for out-parameters, allocated once per reader and reused every tick, so that reading a
 * scalar allocates nothing native. Slots are 8 bytes apart, enough for {@code unsigned int}, {@code unsigned long
 * long} and pointers.
 *
 * <pre>{@code
 * int rc = nvml.nvmlDeviceGetPowerUsage(handle, out.slot(0));
 * long milliwatts = out.uint(0);
 * }</pre>
 */
final class NativeOut {
  private static final int SLOTS = 4;
  private final Memory memory = new Memory(SLOTS * 8L);
  private final Pointer[] slots = new Pointer[SLOTS];

  NativeOut() {
    for (int i = 0; i < SLOTS; i++) {
      slots[i] = memory.share(i * 8L, 8);
    }
  }

  /** The address of slot {@code i}, zeroed so a stale value from the last call can never be read back. */
  Pointer slot(int i) {
    memory.setLong(i * 8L, 0L);
    return slots[i];
  }

  /** Slot {@code i} as an {@code unsigned int}. */
  long uint(int i) {
    return memory.getInt(i * 8L) & 0xFFFF_FFFFL;
  }

  /** Slot {@code i} as a 64-bit value ({@code unsigned long long} bits). */
  long ulong(int i) {
    return memory.getLong(i * 8L);
  }

  /** Slot {@code i} as a pointer, for handle out-parameters. */
  Pointer pointer(int i) {
    return memory.getPointer(i * 8L);
  }
}
