package io.acceltel.launcher;

import java.util.logging.LogManager;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code acceltel} command: one jar, one subcommand per component. */
@Command(
    name = "acceltel",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "GPU/NPU telemetry for Kubernetes: node exporter and aggregator (the gateway and rules are planned).",
    subcommands = {DemoCommand.class, ExporterCommand.class, AggregatorCommand.class, KafkaCommand.class,
        CommandLine.HelpCommand.class})
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
    return new CommandLine(new Acceltel()).setExecutionExceptionHandler(Acceltel::failed).execute(args);
  }

  /**
   * What a command did not expect (a port in use, a locked data directory) ends in one line naming the command and
   * the cause, not in picocli's stack trace; {@code -Dacceltel.stacktrace=true} prints the trace as well.
   */
  private static int failed(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String what = describe(e);
    if (cause != e && !what.contains(String.valueOf(cause.getMessage()))) {
      what += " (" + describe(cause) + ")";
    }
    command.getErr().println("acceltel " + command.getCommandName() + ": " + what.replace('\n', ' '));
    if (Boolean.getBoolean("acceltel.stacktrace")) {
      e.printStackTrace(command.getErr());
    }
    command.getErr().flush();
    return EXIT_UNAVAILABLE;
  }

  private static String describe(Throwable t) {
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  /** acceltel at INFO, the embedded libraries (Kafka, gRPC, fabric8) at WARNING, one line per record. */
  private static void configureLogging() {
    if (System.getProperty("java.util.logging.config.file") != null) {
      return;
    }
    try (java.io.InputStream in = Acceltel.class.getResourceAsStream("/acceltel-logging.properties")) {
      if (in != null) {
        LogManager.getLogManager().readConfiguration(in);
      }
    } catch (java.io.IOException e) {
      // Keep the JDK defaults.
    }
  }

}
