package io.acceltel.exporter.nvml;

import com.sun.jna.Pointer;
import io.acceltel.exporter.device.BackendContext;
import io.acceltel.exporter.device.BackendUnavailableException;
import io.acceltel.exporter.device.DeviceBackend;
import io.acceltel.exporter.device.DeviceInventory;
import io.acceltel.exporter.device.DeviceLostException;
import io.acceltel.exporter.device.DeviceReader;
import io.acceltel.exporter.device.NativeCallObserver;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.Vendor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.IntStream;

/**
 * NVIDIA GPUs through NVML: enumerates the devices at open (index, UUID, name), tries again later for those it
 * could not open then, reads the driver and NVML versions, and runs the XID event thread. Holds one NVML reference
 * from {@code nvmlInit_v2} until {@link #close()}.
 *
 * <pre>{@code
 * try (DeviceBackend backend = new NvmlBackendProvider().open(context)) {
 *   System.out.println(backend.description()); // NVIDIA NVML 13.580.159.04, driver 580.159.04, 8 GPUs
 * }
 * }</pre>
 */
public final class NvmlBackend implements DeviceBackend {
  static final String NAME = "nvml";
  private static final Logger LOG = Logger.getLogger(NvmlBackend.class.getName());

  private final NvmlLibrary nvml;
  private final String nvmlVersion;
  private final String driverVersion;
  private final DeviceInventory<Integer, NvmlDeviceReader> gpus;
  private final XidWatcher xidWatcher;
  private boolean closed;

  private NvmlBackend(NvmlLibrary nvml, String nvmlVersion, String driverVersion,
      DeviceInventory<Integer, NvmlDeviceReader> gpus, XidWatcher xidWatcher) {
    this.nvml = nvml;
    this.nvmlVersion = nvmlVersion;
    this.driverVersion = driverVersion;
    this.gpus = gpus;
    this.xidWatcher = xidWatcher;
  }

  /**
   * Loads and initializes NVML and opens every GPU it reports.
   *
   * @param nanoClock monotonic time for the GPM sample spacing; tests pass a clock they control
   */
  static NvmlBackend open(BackendContext context, LongSupplier nanoClock) throws BackendUnavailableException {
    NvmlLibrary nvml = NvmlLoader.load(context.nativeLibrary());
    NvmlLoader.init(nvml, context.nativeLibrary().map(Object::toString).orElse(NvmlLoader.DEFAULT_LIBRARY));
    List<NvmlDeviceReader> opened = new ArrayList<>();
    XidWatcher watcher = null;
    try {
      String nvmlVersion = systemString(nvml, true);
      String driverVersion = systemString(nvml, false);
      int count = deviceCount(nvml);
      watcher = XidWatcher.start(nvml, context.observer());
      XidWatcher xids = watcher;
      Consumer<NvmlDeviceReader> registerXids = reader -> register(xids, reader);
      DeviceInventory<Integer, NvmlDeviceReader> gpus = DeviceInventory.open(
          IntStream.range(0, count).boxed().toList(), (index, retry) -> {
            NvmlDeviceReader reader = openDevice(nvml, index, driverVersion, context.observer(), nanoClock,
                registerXids, retry);
            if (reader == null) {
              return DeviceInventory.Attempt.leftOut(index);
            }
            registerXids.accept(reader);
            if (retry) {
              LOG.info("GPU " + index + " (" + reader.identity().uuid() + ") opened; it was left out until now");
            } else {
              opened.add(reader); // closed if opening the backend fails after all
            }
            return DeviceInventory.Attempt.opened(reader);
          });
      return new NvmlBackend(nvml, nvmlVersion, driverVersion, gpus, watcher);
    } catch (BackendUnavailableException | RuntimeException | Error e) {
      if (watcher != null) {
        watcher.close();
      }
      opened.forEach(NvmlDeviceReader::close);
      nvml.nvmlShutdown();
      throw e;
    }
  }

  private static void register(XidWatcher watcher, NvmlDeviceReader reader) {
    if (watcher != null) {
      watcher.register(reader.handle(), reader.xids(), "GPU " + reader.identity().index());
    }
  }

  private static int deviceCount(NvmlLibrary nvml) throws BackendUnavailableException {
    NativeOut out = new NativeOut();
    int rc = nvml.nvmlDeviceGetCount_v2(out.slot(0));
    if (rc != NvmlReturn.SUCCESS) {
      throw new BackendUnavailableException("NVML could not count the GPUs (nvmlDeviceGetCount_v2 returned "
          + NvmlReturn.name(rc) + "): check the GPUs with nvidia-smi.");
    }
    return (int) out.uint(0);
  }

  private static String systemString(NvmlLibrary nvml, boolean nvmlVersion) {
    byte[] buffer = new byte[NvmlLibrary.NVML_SYSTEM_VERSION_BUFFER_SIZE];
    int rc = nvmlVersion
        ? nvml.nvmlSystemGetNVMLVersion(buffer, buffer.length)
        : nvml.nvmlSystemGetDriverVersion(buffer, buffer.length);
    return rc == NvmlReturn.SUCCESS ? NvmlStrings.decode(buffer) : "unknown";
  }

  /**
   * Opens one GPU, or returns null (logged, quietly on a retry) when it cannot be read at all: no handle, no UUID,
   * or lost.
   */
  private static NvmlDeviceReader openDevice(NvmlLibrary nvml, int index, String driverVersion,
      NativeCallObserver observer, LongSupplier nanoClock, Consumer<NvmlDeviceReader> onRecovered, boolean retry) {
    Level level = retry ? Level.FINE : Level.WARNING;
    NativeOut out = new NativeOut();
    int rc = nvml.nvmlDeviceGetHandleByIndex_v2(index, out.slot(0));
    if (rc != NvmlReturn.SUCCESS) {
      skip(observer, index, "nvmlDeviceGetHandleByIndex_v2", rc, retry);
      return null;
    }
    Pointer handle = out.pointer(0);
    byte[] text = new byte[NvmlLibrary.NVML_DEVICE_UUID_V2_BUFFER_SIZE];
    rc = nvml.nvmlDeviceGetUUID(handle, text, text.length);
    if (rc != NvmlReturn.SUCCESS) {
      // The UUID is the join key for attribution; a device without one cannot be reported usefully.
      skip(observer, index, "nvmlDeviceGetUUID", rc, retry);
      return null;
    }
    String uuid = NvmlStrings.decode(text);
    String name = optionalString(nvml.nvmlDeviceGetName(handle, text, text.length), text, "NVIDIA GPU");
    String serial = optionalString(nvml.nvmlDeviceGetSerial(handle, text, text.length), text, "");
    String vbios = optionalString(nvml.nvmlDeviceGetVbiosVersion(handle, text, text.length), text, "");
    NvmlStructs.PciInfo pci = new NvmlStructs.PciInfo();
    String busId = nvml.nvmlDeviceGetPciInfo_v3(handle, pci) == NvmlReturn.SUCCESS
        ? NvmlStrings.decode(pci.busId) : "";
    // GKE's device plugin names GPUs by minor number (nvidia0), so attribution joins on it there.
    NativeOut minor = new NativeOut();
    DeviceIdentity identity = new DeviceIdentity(index, uuid, name, Vendor.NVIDIA,
        nvml.nvmlDeviceGetMinorNumber(handle, minor.slot(0)) == NvmlReturn.SUCCESS ? (int) minor.uint(0)
            : DeviceIdentity.NO_MINOR);
    NvmlDeviceInfo info = new NvmlDeviceInfo(identity, serial, vbios, busId);
    try {
      return new NvmlDeviceReader(nvml, handle, info, driverVersion, observer, nanoClock, onRecovered);
    } catch (DeviceLostException e) {
      LOG.log(level, "GPU " + index + " (" + uuid + ") is left out: " + e.getMessage());
      return null;
    }
  }

  private static String optionalString(int rc, byte[] text, String fallback) {
    return rc == NvmlReturn.SUCCESS ? NvmlStrings.decode(text) : fallback;
  }

  /**
   * A GPU that cannot be opened: counted and warned about the first time; a retry's failure only repeats it, and
   * counting it every 30 s would keep a rate alert on the error counter firing for as long as the GPU is down.
   */
  private static void skip(NativeCallObserver observer, int index, String function, int rc, boolean retry) {
    if (!retry) {
      observer.failed(CallGuard.BACKEND, function, rc, NvmlReturn.name(rc));
    }
    LOG.log(retry ? Level.FINE : Level.WARNING,
        "GPU " + index + " is left out: " + function + " returned " + NvmlReturn.name(rc));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    int n = gpus.readers().size();
    int leftOut = gpus.leftOut();
    return "NVIDIA NVML " + nvmlVersion + ", driver " + driverVersion + ", " + n + (n == 1 ? " GPU" : " GPUs")
        + (leftOut > 0 ? " (" + leftOut + " more left out: see the warnings above)" : "");
  }

  @Override
  public int devicesLeftOut() {
    return gpus.leftOut();
  }

  @Override
  public List<DeviceReader> devices() {
    return List.copyOf(gpus.readers());
  }

  /** {@link #close()} waits for a retry in progress, and a retry after it opens nothing. */
  @Override
  public synchronized List<DeviceReader> reopenLeftOut() {
    return closed ? List.of() : List.copyOf(gpus.retryLeftOut());
  }

  /** Stops the XID thread, frees the event set and GPM samples, then releases this backend's NVML reference. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (xidWatcher != null) {
      xidWatcher.close();
    }
    gpus.forEachReader(NvmlDeviceReader::close);
    nvml.nvmlShutdown();
  }
}
