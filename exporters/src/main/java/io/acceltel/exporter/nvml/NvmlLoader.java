package io.acceltel.exporter.nvml;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import io.acceltel.exporter.device.BackendUnavailableException;
import io.acceltel.exporter.device.InstalledLibraries;
import io.acceltel.exporter.device.MissingFunctions;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Loads libnvidia-ml and initializes it, turning every way that can fail into one sentence for the operator that
 * says what is wrong and what to do.
 */
final class NvmlLoader {
  private static final java.util.logging.Logger LOG =
      java.util.logging.Logger.getLogger(NvmlLoader.class.getName());
  static final String DEFAULT_LIBRARY = "libnvidia-ml.so.1";
  private static final String ALTERNATIVES =
      "install the NVIDIA driver (in Kubernetes, run with the NVIDIA container toolkit), point --nvml-library at it,"
          + " or use --devices=simulated for a demo.";

  private NvmlLoader() {}

  /** Loads the library from an explicit path, or {@code libnvidia-ml.so.1} from the system's search path. */
  static NvmlLibrary load(Optional<Path> explicitPath) throws BackendUnavailableException {
    return load(explicitPath, DEFAULT_LIBRARY, InstalledLibraries::find);
  }

  /** As {@link #load(Optional)}, with the default name and the lookup of installed copies given (for tests). */
  static NvmlLibrary load(Optional<Path> explicitPath, String defaultName,
      Function<String, List<Path>> installedCopies) throws BackendUnavailableException {
    String name = explicitPath.map(Path::toString).orElse(defaultName);
    if (explicitPath.isPresent() && !Files.exists(explicitPath.get(), LinkOption.NOFOLLOW_LINKS)) {
      throw BackendUnavailableException.noDriver("NVIDIA driver library " + name + " was not found: "
          + ALTERNATIVES, null);
    }
    try {
      // A function the driver lacks answers FUNCTION_NOT_FOUND, which CallGuard treats like NOT_SUPPORTED.
      NvmlLibrary proxy = MissingFunctions.answering(NvmlLibrary.class, Native.load(name, NvmlLibrary.class),
          NvmlReturn.FUNCTION_NOT_FOUND);
      return withDirectCalls(NativeLibrary.getInstance(name), proxy);
    } catch (UnsatisfiedLinkError e) {
      String reason = InstalledLibraries.loaderReason(e.getMessage());
      // Whether the file is there decides "no driver" (the demo may simulate), not the loader's message.
      if (explicitPath.isEmpty() && installedCopies.apply(name).isEmpty()) {
        throw BackendUnavailableException.noDriver("NVIDIA driver library " + name + " was not found: "
            + ALTERNATIVES, e);
      }
      // A file that is there but does not load (another architecture, truncated, a missing dependency).
      throw new BackendUnavailableException("NVIDIA driver library " + name + " could not be loaded (" + reason
          + "): " + ALTERNATIVES, e);
    }
  }

  /** The per-tick calls through JNA direct mapping when the driver exports them all, else the proxy alone. */
  private static NvmlLibrary withDirectCalls(NativeLibrary library, NvmlLibrary proxy) {
    try {
      return new NvmlDirect(library, proxy);
    } catch (UnsatisfiedLinkError e) {
      LOG.info(() -> "this driver lacks a per-tick NVML function (" + InstalledLibraries.loaderReason(e.getMessage())
          + "); using the slower JNA proxy for every call");
      return proxy;
    }
  }

  /** Calls nvmlInit_v2; on success the caller owns one reference and must call nvmlShutdown once. */
  static void init(NvmlLibrary nvml, String libraryName) throws BackendUnavailableException {
    int rc = nvml.nvmlInit_v2();
    if (rc == NvmlReturn.FUNCTION_NOT_FOUND) {
      throw new BackendUnavailableException(libraryName + " is not an NVML library (it has no nvmlInit_v2): point "
          + "--nvml-library at libnvidia-ml.so.1 of the installed NVIDIA driver.");
    }
    if (rc == NvmlReturn.DRIVER_NOT_LOADED) {
      throw BackendUnavailableException.noDriver(initFailure(rc), null);
    }
    if (rc != NvmlReturn.SUCCESS) {
      throw new BackendUnavailableException(initFailure(rc));
    }
  }

  static String initFailure(int rc) {
    switch (rc) {
      case NvmlReturn.DRIVER_NOT_LOADED:
        return "The NVIDIA kernel driver is not loaded (nvmlInit_v2 returned NVML_ERROR_DRIVER_NOT_LOADED): check "
            + "the driver with nvidia-smi and load it (modprobe nvidia), or use --devices=simulated for a demo.";
      case NvmlReturn.NO_PERMISSION:
        return "NVML was denied access to the GPUs (nvmlInit_v2 returned NVML_ERROR_NO_PERMISSION): give the "
            + "exporter access to /dev/nvidia* (in Kubernetes, run it with the NVIDIA container toolkit).";
      case NvmlReturn.LIB_RM_VERSION_MISMATCH:
        return "libnvidia-ml does not match the running NVIDIA kernel driver (nvmlInit_v2 returned "
            + "NVML_ERROR_LIB_RM_VERSION_MISMATCH): reboot or reload the driver after the upgrade, or mount the "
            + "library of the running driver.";
      default:
        return "NVML could not be initialized (nvmlInit_v2 returned " + NvmlReturn.name(rc) + ", code " + rc
            + "): check the GPUs with nvidia-smi.";
    }
  }
}
