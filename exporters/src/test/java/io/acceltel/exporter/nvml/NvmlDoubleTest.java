package io.acceltel.exporter.nvml;

import io.acceltel.exporter.nvml.NvmlTestSupport.FakeClock;
import io.acceltel.exporter.nvml.NvmlTestSupport.RecordingObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the tests that run the NVML backend against the C double: two GPUs with the double's defaults before
 * each test, the backend opened on first use and closed after.
 */
abstract class NvmlDoubleTest {
  static final NvmlDouble DOUBLE = NvmlDouble.INSTANCE;
  final RecordingObserver observer = new RecordingObserver();
  final FakeClock clock = new FakeClock();
  NvmlBackend backend;

  @BeforeEach
  void resetTheDouble() {
    DOUBLE.nvmlDouble_reset(2);
  }

  @AfterEach
  void closeTheBackend() {
    if (backend != null) {
      backend.close();
    }
  }

  /** The reader of GPU {@code index}, opening the backend on first use (after the test set the double up). */
  NvmlDeviceReader gpu(int index) {
    if (backend == null) {
      try {
        backend = NvmlTestSupport.open(observer, clock);
      } catch (io.acceltel.exporter.device.BackendUnavailableException e) {
        throw new AssertionError("the NVML double did not open: " + e.getMessage(), e);
      }
    }
    return (NvmlDeviceReader) backend.devices().get(index);
  }
}
