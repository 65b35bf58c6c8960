package io.acceltel.exporter.simulated;

import io.acceltel.exporter.device.BackendContext.SimulatedSettings;
import io.acceltel.exporter.device.DeviceBackend;
import io.acceltel.exporter.device.DeviceReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Simulated devices: N NVIDIA H100s running an LLM training job, for demos and tests. The readings are made up,
 * and the backend says so in its {@link #description()}; it is chosen with {@code --devices simulated}, never as a
 * fallback when a real driver fails.
 *
 * <pre>{@code
 * SimulatedBackend backend = new SimulatedBackend(new SimulatedSettings(8, "NVIDIA H100 80GB HBM3", 42L));
 * DeviceReader gpu3 = backend.devices().get(3);
 * gpu3.read(tickMillis, sink);          // one tick of NVML-like readings
 * backend.injectXid(3, 79);             // GPU fell off the bus: XID 79 on device 3
 * backend.loseDevice(3, true);          // reads of device 3 now throw DeviceLostException
 * }</pre>
 *
 * <p>The devices behave like the H100 of the real trace in {@code shared/data/h100-trace} (see
 * {@link H100Calibration}), whatever model name they are given: utilization plateaus with data-loader stalls and
 * checkpoint dips, power follows it up to the 700 W cap, temperature lags power, clocks drop at idle and under the
 * power cap. Readings depend only on the seed and the tick timestamps, so the same seed and ticks give the same
 * readings. The job starts at the first tick: 30 s idle, 60 s start-up, then training.
 *
 * <p>The fault-injection methods are thread-safe and take effect at each device's next read.
 */
public final class SimulatedBackend implements DeviceBackend {
  private final SimulatedSettings settings;
  private final List<DeviceReader> readers;
  private final List<DeviceFaults> faults;

  /**
   * @throws IllegalArgumentException when there are no devices or the model name is blank
   */
  public SimulatedBackend(SimulatedSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    if (settings.devices() < 1) {
      throw new IllegalArgumentException("simulated devices must be at least 1, got " + settings.devices()
          + "; set the number of simulated devices to 1 or more");
    }
    if (settings.model() == null || settings.model().isBlank()) {
      throw new IllegalArgumentException("simulated device model must not be blank; use e.g. \""
          + SimulatedSettings.DEFAULT.model() + "\"");
    }
    AtomicLong origin = new AtomicLong(Long.MIN_VALUE);
    // One slot of the chassis gets less air, as on real HGX baseboards where one GPU typically runs hotter.
    int hotSlot = (int) Math.floorMod(Noise.bits(settings.seed(), 10, 0), (long) settings.devices());
    List<DeviceReader> r = new ArrayList<>(settings.devices());
    List<DeviceFaults> f = new ArrayList<>(settings.devices());
    for (int i = 0; i < settings.devices(); i++) {
      DeviceFaults deviceFaults = new DeviceFaults();
      f.add(deviceFaults);
      r.add(new SimulatedDeviceReader(i, settings.model(), settings.seed(), i == hotSlot, deviceFaults, origin));
    }
    this.readers = List.copyOf(r);
    this.faults = List.copyOf(f);
  }

  @Override
  public String name() {
    return SimulatedBackendProvider.NAME;
  }

  @Override
  public String description() {
    return "SIMULATED devices (demo/test feature): " + settings.devices() + " x " + settings.model() + ", seed "
        + settings.seed() + " \u2014 these are not real readings";
  }

  @Override
  public List<DeviceReader> devices() {
    return readers;
  }

  /** Reports XID {@code xid} on the device: XID_ERRORS{xid} goes up by one and LAST_XID becomes {@code xid}. */
  public void injectXid(int device, int xid) {
    if (xid <= 0) {
      throw new IllegalArgumentException("XID codes are positive, got " + xid + "; e.g. 79 (fallen off the bus)");
    }
    faults(device).xid(xid);
  }

  /**
   * Turns hardware thermal slowdown on or off: while on, the device reports hw_thermal_slowdown, hw_slowdown and
   * sw_thermal_slowdown, runs its clocks at less than half speed, and its temperature is at least
   * {@link H100Calibration#SLOWDOWN_C} + 1.
   */
  public void injectThermalSlowdown(int device, boolean on) {
    faults(device).thermalSlowdown(on);
  }

  /**
   * Makes the device stop answering, like NVML_ERROR_GPU_IS_LOST: while lost, its reads throw
   * {@link io.acceltel.exporter.device.DeviceLostException} and {@link DeviceReader#recover()} returns false;
   * once un-lost, recover() returns true and reads resume.
   */
  public void loseDevice(int device, boolean lost) {
    faults(device).lost(lost);
  }

  @Override
  public void close() {
    // Nothing to release: no native library, no threads.
  }

  private DeviceFaults faults(int device) {
    if (device < 0 || device >= faults.size()) {
      throw new IllegalArgumentException("device " + device + " does not exist: this simulated backend has "
          + faults.size() + " devices, 0 to " + (faults.size() - 1));
    }
    return faults.get(device);
  }
}
