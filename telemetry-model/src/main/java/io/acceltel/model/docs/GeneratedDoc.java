package io.acceltel.model.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A document under {@code docs/} that is generated from code (the metrics reference, the compatibility name lists).
 * Tests call {@link #staleness()} so a stale file fails the build; with {@code -Dacceltel.docs.update=true} the file
 * is rewritten instead, so fixing it is one command.
 *
 * @param relativePath path from the repository root, e.g. {@code docs/metrics.md}
 */
public record GeneratedDoc(String relativePath, String content) {
  public static final String UPDATE_PROPERTY = "acceltel.docs.update";

  /** Empty when the committed file equals the generated content; otherwise what is wrong and how to fix it. */
  public Optional<String> staleness() {
    Path file = repositoryRoot().resolve(relativePath);
    try {
      if (Boolean.getBoolean(UPDATE_PROPERTY)) {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
      }
      if (!Files.exists(file)) {
        return Optional.of(relativePath + " is missing; generate it with: mvn test -D" + UPDATE_PROPERTY + "=true");
      }
      if (!Files.readString(file, StandardCharsets.UTF_8).equals(content)) {
        return Optional.of(relativePath + " is stale; regenerate it with: mvn test -D" + UPDATE_PROPERTY + "=true");
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("acceltel"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("cannot find the repository root (the directory holding the acceltel script)");
    }
    return dir;
  }
}
