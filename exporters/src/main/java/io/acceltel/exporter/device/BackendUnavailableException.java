package io.acceltel.exporter.device;

/**
 * The backend cannot start here: the native library is absent, the driver is not loaded, or permission is denied.
 * The message is meant for the operator as it is, one sentence with the fix, and is printed without a stack trace.
 */
public final class BackendUnavailableException extends Exception {
  public BackendUnavailableException(String message) {
    super(message);
  }

  public BackendUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
