package io.acceltel.launcher;

import io.acceltel.exporter.NodeExporter;
import io.acceltel.model.config.ConfigException;
import io.acceltel.exporter.config.ExporterConfig;
import io.acceltel.exporter.device.BackendUnavailableException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code acceltel exporter}: the per-node DaemonSet process. */
@Command(name = "exporter", mixinStandardHelpOptions = true,
    description = "Read every accelerator on this node once per interval and serve /metrics.")
final class ExporterCommand implements Callable<Integer> {
  @Mixin
  ExporterOptions options = new ExporterOptions();

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    ExporterConfig config;
    try {
      config = options.resolve(null);
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("acceltel exporter: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return Acceltel.EXIT_CONFIG;
    }
    return runExporter(spec, config, "exporter", List.of());
  }

  /**
   * Shared by {@code exporter} and {@code demo}: start, print where to look, run until interrupted.
   *
   * @param upstream components the exporter feeds (the demo's aggregator and broker), closed after it, in order
   */
  static int runExporter(CommandSpec spec, ExporterConfig config, String what, List<AutoCloseable> upstream) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    NodeExporter exporter;
    try {
      exporter = NodeExporter.start(config, List.of(), line -> {
        out.println(line);
        out.flush();
      });
    } catch (BackendUnavailableException | IOException e) {
      err.println("acceltel " + what + ": " + e.getMessage());
      err.flush();
      closeAll(upstream);
      return Acceltel.EXIT_UNAVAILABLE;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      exporter.close();
      closeAll(upstream);
      stopped.countDown();
    }, "acceltel-shutdown"));
    out.println("acceltel " + what + " on node " + config.node() + ", every " + config.interval().toMillis()
        + " ms: serving " + exporter.metricsUrl() + config.tls().map(tls -> " (" + tls + ")").orElse(""));
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  static void closeAll(List<AutoCloseable> components) {
    for (AutoCloseable c : components) {
      try {
        c.close();
      } catch (Exception e) {
        System.err.println("acceltel: closing " + c + " failed: " + e.getMessage());
      }
    }
  }
}
