package io.acceltel.exporter.device;

/** The device stopped answering (NVML_ERROR_GPU_IS_LOST, or the DCMI equivalent). */
public final class DeviceLostException extends Exception {
  public DeviceLostException(String message) {
    super(message);
  }
}
