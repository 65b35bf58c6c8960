package io.acceltel.exporter.device;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a shared library is installed on this machine, looked up the way the dynamic loader looks: the library
 * path variables, the directories of {@code /etc/ld.so.conf.d}, and the usual system and container-toolkit
 * directories.
 *
 * <p>When loading a driver library fails, this tells "no such driver here" (the demo may simulate devices) apart
 * from "the driver is here but does not load" (a fault to report). The loader's own message cannot: its wording is
 * the C library's, translated with the locale, and a missing dependency reads like a missing library.
 */
public final class InstalledLibraries {
  private static final List<String> SYSTEM_DIRECTORIES = List.of("/lib", "/lib64", "/usr/lib", "/usr/lib64",
      "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
      "/usr/local/lib", "/usr/local/nvidia/lib", "/usr/local/nvidia/lib64");

  private InstalledLibraries() {}

  /** The copies of {@code fileName} (e.g. {@code libnvidia-ml.so.1}) found on this machine, in search order. */
  public static List<Path> find(String fileName) {
    return find(fileName, System.getenv(), Path.of("/etc/ld.so.conf.d"), SYSTEM_DIRECTORIES);
  }

  static List<Path> find(String fileName, Map<String, String> environment, Path ldSoConfDir,
      List<String> systemDirectories) {
    Set<String> directories = new LinkedHashSet<>();
    addPathList(directories, environment.get("LD_LIBRARY_PATH"));
    addPathList(directories, System.getProperty("jna.library.path"));
    directories.addAll(ldSoConfDirectories(ldSoConfDir));
    directories.addAll(systemDirectories);
    List<Path> found = new ArrayList<>();
    for (String directory : directories) {
      Path candidate = Path.of(directory).resolve(fileName);
      // A link left dangling by a half-finished driver upgrade is a broken install, not an absent one.
      if (Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
        found.add(candidate);
      }
    }
    return found;
  }

  private static void addPathList(Set<String> directories, String pathList) {
    if (pathList == null) {
      return;
    }
    for (String directory : pathList.split(":")) {
      if (!directory.isBlank()) {
        directories.add(directory);
      }
    }
  }

  /** The absolute directories listed in {@code *.conf} files (the NVIDIA and Ascend installers add theirs there). */
  private static List<String> ldSoConfDirectories(Path confDir) {
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(confDir)) {
      return out;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(confDir, "*.conf")) {
      for (Path file : files) {
        for (String line : Files.readAllLines(file)) {
          String entry = line.strip();
          if (entry.startsWith("/")) {
            out.add(entry);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // Unreadable configuration: the other places still count.
    }
    return out;
  }

  /**
   * The dynamic loader's own reason for a failed load. JNA's message starts with "Unable to load library 'x':" and
   * has the reason (dlerror) on the next line.
   */
  public static String loaderReason(String message) {
    if (message == null) {
      return "no reason given";
    }
    String[] lines = message.split("\n");
    return lines.length > 1 && lines[0].startsWith("Unable to load library") ? lines[1].strip() : lines[0];
  }
}
