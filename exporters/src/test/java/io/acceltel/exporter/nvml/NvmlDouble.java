package io.acceltel.exporter.nvml;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.file.Path;

/**
 * The control functions of the C test double of libnvidia-ml ({@code src/test/native/nvml_double.c}), loaded from
 * the same file the backend loads, so both see one in-memory model of the GPUs.
 */
interface NvmlDouble extends Library {
  Path PATH = Path.of(System.getProperty("acceltel.test.native", "target/native"), "libnvml_double.so");
  NvmlDouble INSTANCE = Native.load(PATH.toString(), NvmlDouble.class);

  /** Sampling types of nvmlDeviceGetSamples. */
  int TOTAL_POWER = 0;
  int GPU_UTILIZATION = 1;
  /** nvmlValueType_t */
  int UINT = 1;
  int ULONGLONG = 3;
  int DOUBLE = 0;
  /** For setReturn: every device, and the global functions. */
  int ANY_DEVICE = -1;

  void nvmlDouble_reset(int deviceCount);

  void nvmlDouble_setUint(String key, int device, long value);

  void nvmlDouble_setString(String key, int device, String value);

  void nvmlDouble_setReturn(String function, int device, int rc);

  void nvmlDouble_setField(int device, int fieldId, int valueType, long value, int rc);

  void nvmlDouble_pushSample(int type, int device, long timestampUs, int value);

  void nvmlDouble_pushSampleTyped(int type, int device, long timestampUs, int valueType, long raw);

  void nvmlDouble_injectXid(int device, long xid);

  void nvmlDouble_setGpmSupported(int device, int supported);

  void nvmlDouble_setGpm(int device, int metricId, double value);

  void nvmlDouble_setLost(int device, int lost);

  void nvmlDouble_addProcess(int device, int pid, long usedBytes);

  void nvmlDouble_setProcessStride(int stride);

  void nvmlDouble_setMig(int device, int slot, String uuid, String name, int gi, int ci, long total, long used);

  long nvmlDouble_calls(String function);

  int nvmlDouble_initCount();

  int nvmlDouble_sizeof(String struct);

  int nvmlDouble_offsetof(String struct, String field);
}
