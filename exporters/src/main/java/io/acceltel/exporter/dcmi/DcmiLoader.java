package io.acceltel.exporter.dcmi;

import com.sun.jna.Native;
import io.acceltel.exporter.device.BackendUnavailableException;
import io.acceltel.exporter.device.InstalledLibraries;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Loads {@code libdcmi.so} and initializes it, turning every way that can fail into one sentence for the operator
 * that says what is wrong and what to do.
 *
 * <p>Without an explicit path the library is looked up like npu-exporter does: the system search path
 * ({@code LD_LIBRARY_PATH}, ldconfig), then the Ascend driver's usual install directories.
 */
final class DcmiLoader {
  static final String DEFAULT_LIBRARY = "libdcmi.so";
  /** Where the Ascend driver installs the library (npu-exporter's image LD_LIBRARY_PATH). */
  static final List<String> DRIVER_PATHS = List.of("/usr/local/Ascend/driver/lib64/driver/libdcmi.so",
      "/usr/local/Ascend/driver/lib64/common/libdcmi.so", "/usr/local/Ascend/driver/lib64/libdcmi.so",
      "/usr/local/dcmi/libdcmi.so");
  private static final String FIX = "install the Ascend NPU driver (npu-smi info should list the NPUs), mount "
      + "/usr/local/Ascend/driver and /usr/local/dcmi into the container, point --dcmi-library at libdcmi.so, or "
      + "use --devices=simulated for a demo.";
  /** libdcmi.so loads its sibling libraries through the search path, which a container does not have by itself. */
  private static final String LOAD_FIX = "put the driver's library directories on LD_LIBRARY_PATH "
      + "(/usr/local/Ascend/driver/lib64/driver:/usr/local/Ascend/driver/lib64/common:/usr/local/Ascend/driver/lib64,"
      + " as npu-exporter's image sets it), or point --dcmi-library at the libdcmi.so of the installed driver.";

  private DcmiLoader() {}

  static DcmiLibrary load(Optional<Path> explicitPath) throws BackendUnavailableException {
    if (explicitPath.isPresent()) {
      Path path = explicitPath.get();
      if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
        throw BackendUnavailableException.noDriver("Huawei DCMI library " + path + " was not found: " + FIX, null);
      }
      try {
        return Native.load(path.toString(), DcmiLibrary.class);
      } catch (UnsatisfiedLinkError e) {
        throw new BackendUnavailableException("Huawei DCMI library " + path + " could not be loaded ("
            + InstalledLibraries.loaderReason(e.getMessage()) + "): " + LOAD_FIX, e);
      }
    }
    UnsatisfiedLinkError first;
    try {
      return Native.load(DEFAULT_LIBRARY, DcmiLibrary.class);
    } catch (UnsatisfiedLinkError e) {
      first = e;
    }
    String brokenCopy = null;
    String brokenReason = null;
    for (String candidate : DRIVER_PATHS) {
      if (Files.exists(Path.of(candidate), LinkOption.NOFOLLOW_LINKS)) { // a dangling link is a broken install
        try {
          return Native.load(candidate, DcmiLibrary.class);
        } catch (UnsatisfiedLinkError e) {
          if (brokenCopy == null) {
            brokenCopy = candidate;
            brokenReason = InstalledLibraries.loaderReason(e.getMessage());
          }
        }
      }
    }
    if (brokenCopy == null && !InstalledLibraries.find(DEFAULT_LIBRARY).isEmpty()) {
      brokenCopy = DEFAULT_LIBRARY;
      brokenReason = InstalledLibraries.loaderReason(first.getMessage());
    }
    if (brokenCopy != null) {
      // The driver is installed and does not load (often: its sibling libraries are not on LD_LIBRARY_PATH).
      throw new BackendUnavailableException("Huawei DCMI library " + brokenCopy + " could not be loaded ("
          + brokenReason + "): " + LOAD_FIX, first);
    }
    throw BackendUnavailableException.noDriver("Huawei DCMI library " + DEFAULT_LIBRARY + " was not found: " + FIX,
        first);
  }

  /** Calls dcmi_init once after loading. */
  static void init(DcmiLibrary dcmi, String libraryName) throws BackendUnavailableException {
    int rc;
    try {
      rc = dcmi.dcmi_init();
    } catch (UnsatisfiedLinkError e) {
      throw new BackendUnavailableException(libraryName + " is not a DCMI library (it has no dcmi_init): point "
          + "--dcmi-library at libdcmi.so of the installed Ascend driver.", e);
    }
    if (rc != DcmiReturn.SUCCESS) {
      throw new BackendUnavailableException(initFailure(rc));
    }
  }

  static String initFailure(int rc) {
    switch (rc) {
      case DcmiReturn.NOT_READY:
        return "The Ascend driver is not ready yet (dcmi_init returned DCMI_ERR_NOT_READY, -8012: it is starting "
            + "or resetting an NPU): start the exporter again once npu-smi info lists the NPUs.";
      case DcmiReturn.PERMISSION:
        return "DCMI was denied access to the NPUs (dcmi_init returned DCMI_ERR_PERMISSION, -8002): run the "
            + "exporter as root with access to /dev/davinci* (privileged in Kubernetes, as npu-exporter runs).";
      default:
        return "DCMI could not be initialized (dcmi_init returned " + DcmiReturn.name(rc) + ", code " + rc
            + "): check the NPUs with npu-smi info.";
    }
  }
}
