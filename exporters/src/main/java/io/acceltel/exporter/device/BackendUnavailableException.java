package io.acceltel.exporter.device;

/**
 * The backend cannot start here: the native library is absent, the driver is not loaded, or permission is denied.
 * The message is meant for the operator as it is, one sentence with the fix, and is printed without a stack trace.
 */
public final class BackendUnavailableException extends Exception {
  private final boolean noDriver;

  public BackendUnavailableException(String message) {
    this(message, null, false);
  }

  public BackendUnavailableException(String message, Throwable cause) {
    this(message, cause, false);
  }

  private BackendUnavailableException(String message, Throwable cause, boolean noDriver) {
    super(message, cause);
    this.noDriver = noDriver;
  }

  /**
   * This machine has no such driver: the library is not installed, or its kernel driver is not loaded. Only then
   * may {@code --devices=auto} go on to the next backend; a driver that is there but fails (no permission, a
   * library/driver version mismatch) is a fault to report, not a reason to serve simulated devices instead.
   */
  public static BackendUnavailableException noDriver(String message, Throwable cause) {
    return new BackendUnavailableException(message, cause, true);
  }

  public boolean noDriver() {
    return noDriver;
  }
}
