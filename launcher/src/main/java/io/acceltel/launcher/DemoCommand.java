package io.acceltel.launcher;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code acceltel demo}: the whole pipeline on one machine with embedded defaults. The exporter reads real GPUs when
 * an NVIDIA driver is present, otherwise simulated devices, and says which on start.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the pipeline locally: the exporter on real GPUs if present, else simulated devices.")
final class DemoCommand implements Callable<Integer> {
  @Mixin
  ExporterOptions options = new ExporterOptions();

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    return ExporterCommand.runExporter(spec, options, "auto", "demo");
  }
}
