package io.acceltel.bench;

import io.acceltel.exporter.collect.CollectionLoop;
import io.acceltel.exporter.device.DeviceBackend;
import io.acceltel.exporter.device.DeviceLostException;
import io.acceltel.exporter.device.DeviceReader;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.acceltel.model.snapshot.Reading;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Per-tick collection cost for 8 GPUs through the real JNA binding, against the NVML C double (or, with
 * {@code -Dacceltel.nvml.double=/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1}, real NVML on a GPU machine).
 * {@code readOnOneThread} is the binding's own cost (compare with {@code bench/native/nvml_tick_cost.c}, which
 * makes the same calls from C); {@code tick} adds the loop's per-device threads and the snapshot.
 */
public class TickBenchmark extends MicrosecondBenchmark {
  private DeviceBackend backend;
  private CollectionLoop loop;
  private List<DeviceReader> readers;
  private long tickMillis = 1_795_349_049_000L;
  private final List<Reading> sink = new ArrayList<>(1024);

  /** NVLink links per GPU on the double: 0 as on a PCIe board, 18 as on an SXM H100 or H200 (90 more calls each). */
  @Param({"0"})
  public int nvlinks;

  @Setup(Level.Trial)
  public void open() throws Exception {
    backend = NvmlDoubleControl.openEightGpus(nvlinks);
    readers = backend.devices();
    loop = CollectionLoop.builder("bench", readers).build();
  }

  @TearDown(Level.Trial)
  public void close() {
    loop.close();
    backend.close();
  }

  @Benchmark
  public NodeSnapshot tick() {
    tickMillis += 1000;
    return loop.tick(tickMillis);
  }

  @Benchmark
  public int readOnOneThread() throws DeviceLostException {
    tickMillis += 1000;
    sink.clear();
    for (DeviceReader reader : readers) {
      reader.read(tickMillis, sink::add);
    }
    return sink.size();
  }
}
