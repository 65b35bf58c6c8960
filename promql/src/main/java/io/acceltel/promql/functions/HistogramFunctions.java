package io.acceltel.promql.functions;

import io.acceltel.model.series.Labels;
import io.acceltel.promql.engine.LabelsOps;
import io.acceltel.promql.engine.StepValue;
import io.acceltel.promql.value.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code histogram_quantile} over classic {@code le} buckets, as Prometheus's {@code bucketQuantile}: buckets
 * grouped by all labels but {@code le}, sorted, equal bounds merged, counts forced monotonic, NaN without a +Inf
 * bucket, linear interpolation inside the bucket. Native histograms are out of scope, so the native-only functions
 * return nothing.
 */
final class HistogramFunctions {
  private HistogramFunctions() {}

  private record Bucket(double upperBound, double count) {}

  static void register(Map<String, PromFunction> t) {
    t.put("histogram_quantile", HistogramFunctions::histogramQuantile);
    PromFunction nativeOnly = args -> new StepValue.Vec(new ArrayList<>());
    t.put("histogram_count", nativeOnly);
    t.put("histogram_sum", nativeOnly);
    t.put("histogram_fraction", nativeOnly);
  }

  private static StepValue histogramQuantile(FunctionArgs args) {
    double q = args.scalar(0);
    Map<Labels, List<Bucket>> groups = new LinkedHashMap<>();
    Map<Labels, Labels> outLabels = new LinkedHashMap<>();
    for (Sample s : args.vector(1)) {
      String le = s.labels().get("le");
      if (le == null) {
        continue;
      }
      double upper;
      try {
        upper = parseGoFloat(le);
      } catch (NumberFormatException e) {
        continue; // malformed bucket label: skipped, as Prometheus does
      }
      Labels key = s.labels().toBuilder().remove("le").build();
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(new Bucket(upper, s.value()));
      outLabels.computeIfAbsent(key, LabelsOps::dropMetricName);
    }
    List<Sample> out = new ArrayList<>(groups.size());
    for (Map.Entry<Labels, List<Bucket>> e : groups.entrySet()) {
      out.add(new Sample(outLabels.get(e.getKey()), args.time(), bucketQuantile(q, e.getValue())));
    }
    return new StepValue.Vec(out);
  }

  static double parseGoFloat(String s) {
    String l = s.toLowerCase(java.util.Locale.ROOT);
    return switch (l) {
      case "+inf", "inf", "infinity", "+infinity" -> Double.POSITIVE_INFINITY;
      case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
      case "nan" -> Double.NaN;
      default -> {
        if (l.endsWith("d") || l.endsWith("f") || !l.equals(l.strip())) {
          throw new NumberFormatException(s); // Java accepts "1d" and " 1"; Go does not
        }
        yield Double.parseDouble(s);
      }
    };
  }

  static double bucketQuantile(double q, List<Bucket> in) {
    if (Double.isNaN(q)) {
      return Double.NaN;
    }
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    List<Bucket> buckets = new ArrayList<>(in);
    buckets.sort((a, b) -> Double.compare(a.upperBound(), b.upperBound()));
    if (buckets.get(buckets.size() - 1).upperBound() != Double.POSITIVE_INFINITY) {
      return Double.NaN;
    }
    // Merge buckets with the same bound (they come from series differing only in label spelling of le).
    List<Bucket> merged = new ArrayList<>();
    for (Bucket b : buckets) {
      int last = merged.size() - 1;
      if (last >= 0 && merged.get(last).upperBound() == b.upperBound()) {
        merged.set(last, new Bucket(b.upperBound(), merged.get(last).count() + b.count()));
      } else {
        merged.add(b);
      }
    }
    // Force monotonic counts: scrapes of different buckets are not atomic, so a later bucket may read lower.
    double max = Double.NEGATIVE_INFINITY;
    double[] counts = new double[merged.size()];
    for (int i = 0; i < counts.length; i++) {
      double c = merged.get(i).count();
      if (c > max) {
        max = c;
      } else if (c < max) {
        c = max;
      }
      counts[i] = c;
    }
    if (counts.length < 2) {
      return Double.NaN;
    }
    double observations = counts[counts.length - 1];
    if (observations == 0) {
      return Double.NaN;
    }
    double rank = q * observations;
    int b = 0;
    int n = counts.length - 1;
    // sort.Search over [0, n): first bucket whose count reaches the rank.
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (!(counts[mid] >= rank)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    b = lo;
    if (b == counts.length - 1) {
      return merged.get(counts.length - 2).upperBound();
    }
    if (b == 0 && merged.get(0).upperBound() <= 0) {
      return merged.get(0).upperBound();
    }
    double bucketStart = 0;
    double bucketEnd = merged.get(b).upperBound();
    double count = counts[b];
    if (b > 0) {
      bucketStart = merged.get(b - 1).upperBound();
      count -= counts[b - 1];
      rank -= counts[b - 1];
    }
    return bucketStart + (bucketEnd - bucketStart) * (rank / count);
  }
}
