package io.acceltel.exporter.dcmi;

import java.util.Map;

/**
 * DCMI return codes (shared/reference/dcmi.md §4.6) and their names, as used in the error self-metric and in logs.
 *
 * <pre>{@code
 * if (rc == DcmiReturn.NOT_READY) log(DcmiReturn.name(rc)); // "DCMI_ERR_NOT_READY"
 * }</pre>
 */
public final class DcmiReturn {
  public static final int SUCCESS = 0;
  public static final int PERMISSION = -8002;
  public static final int INVALID_DEVICE_ID = -8007;
  public static final int DEVICE_NOT_EXIST = -8008;
  /** The driver is initializing or resetting: retry later. */
  public static final int NOT_READY = -8012;
  /** The call is not allowed inside a container (no privilege to map the device): permanent, like NOT_SUPPORTED. */
  public static final int NOT_SUPPORTED_IN_CONTAINER = -8013;
  public static final int NOT_SUPPORTED = -8255;

  private static final Map<Integer, String> NAMES = Map.ofEntries(
      Map.entry(SUCCESS, "DCMI_OK"),
      Map.entry(-8001, "DCMI_ERR_INVALID_PARAMETER"),
      Map.entry(PERMISSION, "DCMI_ERR_PERMISSION"),
      Map.entry(-8003, "DCMI_ERR_MEMORY"),
      Map.entry(-8004, "DCMI_ERR_SECURITY"),
      Map.entry(-8005, "DCMI_ERR_INTERNAL"),
      Map.entry(-8006, "DCMI_ERR_TIMEOUT"),
      Map.entry(INVALID_DEVICE_ID, "DCMI_ERR_INVALID_DEVICE_ID"),
      Map.entry(DEVICE_NOT_EXIST, "DCMI_ERR_DEVICE_NOT_EXIST"),
      Map.entry(-8009, "DCMI_ERR_IOCTL"),
      Map.entry(-8010, "DCMI_ERR_SEND_MSG"),
      Map.entry(-8011, "DCMI_ERR_RECV_MSG"),
      Map.entry(NOT_READY, "DCMI_ERR_NOT_READY"),
      Map.entry(NOT_SUPPORTED_IN_CONTAINER, "DCMI_ERR_NOT_SUPPORT_IN_CONTAINER"),
      Map.entry(-8014, "DCMI_ERR_FILE_OPS"),
      Map.entry(-8015, "DCMI_ERR_RESET_FAIL"),
      Map.entry(-8016, "DCMI_ERR_ABORT_OPERATE"),
      Map.entry(-8017, "DCMI_ERR_IS_UPGRADING"),
      Map.entry(-8020, "DCMI_ERR_RESOURCE_OCCUPIED"),
      Map.entry(NOT_SUPPORTED, "DCMI_ERR_NOT_SUPPORT"));

  private DcmiReturn() {}

  /** Whether asking again cannot change the answer: not supported, or not allowed in this container. */
  public static boolean permanent(int rc) {
    return rc == NOT_SUPPORTED || rc == NOT_SUPPORTED_IN_CONTAINER;
  }

  /** The code's name, or {@code DCMI_ERR_<code>} for one this table does not know. */
  public static String name(int rc) {
    String name = NAMES.get(rc);
    return name != null ? name : "DCMI_ERR_" + rc;
  }
}
