import com.sun.jna.Library;
import com.sun.jna.Native;
import io.acceltel.exporter.device.BackendContext;
import io.acceltel.exporter.device.DeviceBackend;
import io.acceltel.exporter.device.DeviceReader;
import io.acceltel.exporter.device.NativeCallObserver;
import io.acceltel.exporter.nvml.NvmlBackendProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The Java half of bench/native/check-calls.sh: opens the NVML backend on the test double, makes two warm-up
 * ticks (the first one probes), then one steady-state tick through {@code NvmlDeviceReader.read} on one thread,
 * and prints the double's per-function call counters for that tick as "function count" lines, sorted, the same
 * format as {@code nvml_tick_cost LIB --counts}.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar bench/native/CallCounts.java LIB [DEVICES [NVLINKS]]
 * </pre>
 *
 * With DEVICES the double is reset to that many GPUs (as TickBenchmark does), each with NVLINKS NVLink links
 * (default 0, like {@code nvml_tick_cost --nvlinks}); without it the double's
 * NVML_DOUBLE_DEVICES / NVML_DOUBLE_LOAD environment applies. Ticks are 150 ms apart so that GPM diffs its
 * samples (it needs them more than 100 ms apart), as at the exporter's 1 s interval. A pause between ticks, not a
 * synchronization.
 */
public class CallCounts {
  public interface Control extends Library {
    void nvmlDouble_reset(int deviceCount);

    long nvmlDouble_callAt(int index, byte[] name, int length);

    void nvmlDouble_clearCalls();

    void nvmlDouble_setUint(String key, int device, long value);
  }

  public static void main(String[] args) throws Exception {
    Path library = Path.of(args[0]).toAbsolutePath();
    Control control = Native.load(library.toString(), Control.class);
    if (args.length > 1) {
      int devices = Integer.parseInt(args[1]);
      control.nvmlDouble_reset(devices);
      int nvlinks = args.length > 2 ? Integer.parseInt(args[2]) : 0;
      for (int i = 0; i < devices; i++) {
        control.nvmlDouble_setUint("nvlink.count", i, nvlinks);
      }
    }
    try (DeviceBackend backend = new NvmlBackendProvider().open(new BackendContext(Optional.of(library),
        BackendContext.SimulatedSettings.DEFAULT, NativeCallObserver.NOOP))) {
      List<DeviceReader> readers = backend.devices();
      long tick = 1_795_349_049_000L;
      for (int i = 0; i < 2; i++) {
        read(readers, tick += 1000);
        Thread.sleep(150);
      }
      control.nvmlDouble_clearCalls();
      read(readers, tick + 1000);
      TreeMap<String, Long> counts = new TreeMap<>();
      byte[] name = new byte[64];
      for (int i = 0; ; i++) {
        long count = control.nvmlDouble_callAt(i, name, name.length);
        if (count < 0) {
          break;
        }
        counts.put(Native.toString(name), count);
      }
      counts.forEach((function, count) -> {
        if (count > 0) {
          System.out.println(function + " " + count);
        }
      });
    }
  }

  private static void read(List<DeviceReader> readers, long tickMillis) throws Exception {
    List<Object> sink = new ArrayList<>();
    for (DeviceReader reader : readers) {
      reader.read(tickMillis, sink::add);
    }
  }
}
