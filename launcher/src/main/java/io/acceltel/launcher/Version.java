package io.acceltel.launcher;

import picocli.CommandLine.IVersionProvider;

/** Reads the version from the jar manifest, so it is set once, in the pom. */
final class Version implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = Acceltel.class.getPackage().getImplementationVersion();
    return new String[] {"acceltel " + (v == null ? "development build" : v)};
  }
}
