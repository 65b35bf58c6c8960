package io.acceltel.exporter.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.exporter.NodeExporter;
import io.acceltel.exporter.config.ExporterConfig;
import io.acceltel.exporter.device.BackendUnavailableException;
import io.acceltel.exporter.testing.SimulatedNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --devices=auto} (the demo's choice) serves simulated devices only where there is no driver: a driver that
 * is installed but fails is reported, never replaced by made-up readings.
 */
class AutoDevicesTest extends NvmlDoubleTest {
  private static ExporterConfig auto(String nvmlLibrary) throws Exception {
    return SimulatedNode.config(SimulatedNode.source("node-auto", 2)
        .put("devices", ExporterConfig.AUTO, "test")
        .put("nvml.library", nvmlLibrary, "test")
        .put("dcmi.library", "/nonexistent/libdcmi.so", "test"));
  }

  @Test
  void withTheDriverPresentTheGpusAreRead() throws Exception {
    List<String> announced = new ArrayList<>();
    try (NodeExporter exporter = NodeExporter.start(auto(NvmlDouble.PATH.toString()), List.of(), announced::add)) {
      assertThat(announced).anySatisfy(line -> assertThat(line).startsWith("devices: NVIDIA NVML"));
    }
  }

  @Test
  void withoutTheLibraryTheDevicesAreSimulatedAndSaySo() throws Exception {
    List<String> announced = new ArrayList<>();
    try (NodeExporter exporter = NodeExporter.start(auto("/nonexistent/libnvidia-ml.so.1"), List.of(),
        announced::add)) {
      assertThat(String.join("\n", announced)).contains("no accelerator driver here", "SIMULATED");
    }
  }

  @Test
  void withTheKernelDriverNotLoadedTheDevicesAreSimulated() throws Exception {
    DOUBLE.nvmlDouble_setReturn("nvmlInit_v2", NvmlDouble.ANY_DEVICE, NvmlReturn.DRIVER_NOT_LOADED);
    List<String> announced = new ArrayList<>();
    try (NodeExporter exporter = NodeExporter.start(auto(NvmlDouble.PATH.toString()), List.of(), announced::add)) {
      assertThat(String.join("\n", announced)).contains("NVML_ERROR_DRIVER_NOT_LOADED", "SIMULATED");
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {NvmlReturn.NO_PERMISSION, NvmlReturn.LIB_RM_VERSION_MISMATCH, NvmlReturn.UNKNOWN})
  void aDriverThatFailsIsReportedNotSimulated(int rc) {
    DOUBLE.nvmlDouble_setReturn("nvmlInit_v2", NvmlDouble.ANY_DEVICE, rc);
    List<String> announced = new ArrayList<>();
    assertThatThrownBy(() -> NodeExporter.start(auto(NvmlDouble.PATH.toString()), List.of(), announced::add))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining(NvmlReturn.name(rc));
    assertThat(String.join("\n", announced)).doesNotContain("SIMULATED");
  }

  /** A library link left dangling by a half-finished driver upgrade is a broken driver, not "no driver here". */
  @Test
  void aDanglingLibraryLinkIsReportedNotSimulated(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path link = java.nio.file.Files.createSymbolicLink(dir.resolve("libnvidia-ml.so.1"),
        dir.resolve("libnvidia-ml.so.580.159.04"));
    List<String> announced = new ArrayList<>();
    assertThatThrownBy(() -> NodeExporter.start(auto(link.toString()), List.of(), announced::add))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("could not be loaded");
    assertThat(String.join("\n", announced)).doesNotContain("SIMULATED");
  }
}
