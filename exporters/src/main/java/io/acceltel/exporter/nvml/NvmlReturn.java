package io.acceltel.exporter.nvml;

/**
 * NVML return codes ({@code nvmlReturn_t}) and their names, as used in the error self-metric and in logs.
 *
 * <pre>{@code
 * int rc = nvml.nvmlDeviceGetFanSpeed(handle, out.pointer());
 * if (rc != NvmlReturn.SUCCESS) log(NvmlReturn.name(rc)); // "NVML_ERROR_NOT_SUPPORTED"
 * }</pre>
 */
public final class NvmlReturn {
  public static final int SUCCESS = 0;
  public static final int UNINITIALIZED = 1;
  public static final int INVALID_ARGUMENT = 2;
  public static final int NOT_SUPPORTED = 3;
  public static final int NO_PERMISSION = 4;
  public static final int ALREADY_INITIALIZED = 5;
  public static final int NOT_FOUND = 6;
  public static final int INSUFFICIENT_SIZE = 7;
  public static final int INSUFFICIENT_POWER = 8;
  public static final int DRIVER_NOT_LOADED = 9;
  public static final int TIMEOUT = 10;
  public static final int IRQ_ISSUE = 11;
  public static final int LIBRARY_NOT_FOUND = 12;
  public static final int FUNCTION_NOT_FOUND = 13;
  public static final int CORRUPTED_INFOROM = 14;
  public static final int GPU_IS_LOST = 15;
  public static final int RESET_REQUIRED = 16;
  public static final int OPERATING_SYSTEM = 17;
  public static final int LIB_RM_VERSION_MISMATCH = 18;
  public static final int IN_USE = 19;
  public static final int MEMORY = 20;
  public static final int NO_DATA = 21;
  public static final int VGPU_ECC_NOT_SUPPORTED = 22;
  public static final int INSUFFICIENT_RESOURCES = 23;
  public static final int FREQ_NOT_SUPPORTED = 24;
  public static final int ARGUMENT_VERSION_MISMATCH = 25;
  public static final int DEPRECATED = 26;
  public static final int NOT_READY = 27;
  public static final int GPU_NOT_FOUND = 28;
  public static final int INVALID_STATE = 29;
  public static final int RESET_TYPE_NOT_SUPPORTED = 30;
  public static final int UNKNOWN = 999;

  // Index = code, for 0..30; built once so naming a code on the error path allocates nothing.
  private static final String[] NAMES = {
    "NVML_SUCCESS",
    "NVML_ERROR_UNINITIALIZED",
    "NVML_ERROR_INVALID_ARGUMENT",
    "NVML_ERROR_NOT_SUPPORTED",
    "NVML_ERROR_NO_PERMISSION",
    "NVML_ERROR_ALREADY_INITIALIZED",
    "NVML_ERROR_NOT_FOUND",
    "NVML_ERROR_INSUFFICIENT_SIZE",
    "NVML_ERROR_INSUFFICIENT_POWER",
    "NVML_ERROR_DRIVER_NOT_LOADED",
    "NVML_ERROR_TIMEOUT",
    "NVML_ERROR_IRQ_ISSUE",
    "NVML_ERROR_LIBRARY_NOT_FOUND",
    "NVML_ERROR_FUNCTION_NOT_FOUND",
    "NVML_ERROR_CORRUPTED_INFOROM",
    "NVML_ERROR_GPU_IS_LOST",
    "NVML_ERROR_RESET_REQUIRED",
    "NVML_ERROR_OPERATING_SYSTEM",
    "NVML_ERROR_LIB_RM_VERSION_MISMATCH",
    "NVML_ERROR_IN_USE",
    "NVML_ERROR_MEMORY",
    "NVML_ERROR_NO_DATA",
    "NVML_ERROR_VGPU_ECC_NOT_SUPPORTED",
    "NVML_ERROR_INSUFFICIENT_RESOURCES",
    "NVML_ERROR_FREQ_NOT_SUPPORTED",
    "NVML_ERROR_ARGUMENT_VERSION_MISMATCH",
    "NVML_ERROR_DEPRECATED",
    "NVML_ERROR_NOT_READY",
    "NVML_ERROR_GPU_NOT_FOUND",
    "NVML_ERROR_INVALID_STATE",
    "NVML_ERROR_RESET_TYPE_NOT_SUPPORTED",
  };

  private NvmlReturn() {}

  /** The C enum name of a return code, e.g. {@code NVML_ERROR_GPU_IS_LOST}; codes newer than this table get a generic name. */
  public static String name(int code) {
    if (code >= 0 && code < NAMES.length) {
      return NAMES[code];
    }
    return code == UNKNOWN ? "NVML_ERROR_UNKNOWN" : "NVML_ERROR_" + code;
  }
}
