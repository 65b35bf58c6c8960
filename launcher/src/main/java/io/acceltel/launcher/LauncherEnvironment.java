package io.acceltel.launcher;

import io.acceltel.model.config.ConfigSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The environment variables a component reads its configuration from, and a warning for those with its prefix
 * that match no key: a misspelt variable in a pod spec would otherwise be ignored in silence (and the exporter
 * would, say, bind to loopback and fail its probes).
 */
final class LauncherEnvironment {
  private static final Logger LOG = Logger.getLogger(LauncherEnvironment.class.getName());
  /** Read by the {@code acceltel} script and the benchmarks, not configuration keys. */
  static final Set<String> SCRIPT_VARIABLES = Set.of("ACCELTEL_NO_BUILD", "ACCELTEL_JAVA_OPTS", "ACCELTEL_BENCH_HEAP");
  /**
   * What Kubernetes injects for each Service in the namespace ({@code enableServiceLinks}, on by default): a Service
   * named acceltel-kafka gives ACCELTEL_KAFKA_PORT, ACCELTEL_KAFKA_SERVICE_HOST, ACCELTEL_KAFKA_PORT_9092_TCP_ADDR.
   */
  private static final Pattern SERVICE_LINK =
      Pattern.compile(".*_(SERVICE_HOST|SERVICE_PORT(_\\w+)?|PORT(_\\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)?)");

  private LauncherEnvironment() {}

  /**
   * Puts the variables named {@code prefix} + a known key into {@code source}, and warns once about the others
   * with that prefix that {@code belongsElsewhere} does not claim.
   */
  static void putInto(ConfigSource source, Map<String, String> environment, String prefix, Set<String> knownKeys,
      Predicate<String> belongsElsewhere) {
    source.putEnvironment(environment, prefix, knownKeys);
    List<String> unmatched = ConfigSource.unmatchedEnvironment(environment, prefix, knownKeys,
        belongsElsewhere.or(SCRIPT_VARIABLES::contains).or(name -> SERVICE_LINK.matcher(name).matches()));
    List<String> names = knownKeys.stream().map(k -> ConfigSource.environmentName(prefix, k)).toList();
    for (String name : unmatched) {
      LOG.warning(() -> "ignoring " + name + ": no configuration key has that name (did you mean "
          + closest(name, names) + "? The variable is " + prefix + " + the key in upper case, dots and dashes as "
          + "underscores; README.md lists the keys)");
    }
  }

  /** The known name fewest single-character edits away from {@code name}. */
  static String closest(String name, List<String> known) {
    String best = known.get(0);
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int distance = editDistance(name, candidate);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best;
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
