package io.acceltel.launcher;

import java.util.logging.LogManager;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code acceltel} command: one jar, one subcommand per component. */
@Command(
    name = "acceltel",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "GPU/NPU telemetry for Kubernetes: node exporter, aggregator, gateway.",
    subcommands = {DemoCommand.class, ExporterCommand.class, CommandLine.HelpCommand.class})
public final class Acceltel {
  /** Exit code for a configuration error, so scripts and Kubernetes can tell it from a crash. */
  public static final int EXIT_CONFIG = 2;
  /** Exit code when the hardware backend cannot start (no driver, no permission). */
  public static final int EXIT_UNAVAILABLE = 1;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    configureLogging();
    return new CommandLine(new Acceltel()).execute(args);
  }

  private static void configureLogging() {
    if (System.getProperty("java.util.logging.config.file") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format",
          "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
      try {
        LogManager.getLogManager().readConfiguration();
      } catch (java.io.IOException e) {
        // Keep the JDK defaults.
      }
    }
  }
}
