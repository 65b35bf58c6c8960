package io.acceltel.promql.promqltest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.acceltel.model.series.Labels;
import io.acceltel.promql.engine.Engine;
import io.acceltel.promql.engine.QueryException;
import io.acceltel.promql.engine.QueryOptions;
import io.acceltel.promql.engine.QueryResult;
import io.acceltel.promql.value.Matrix;
import io.acceltel.promql.value.Sample;
import io.acceltel.promql.value.Scalar;
import io.acceltel.promql.value.Series;
import io.acceltel.promql.value.Value;
import io.acceltel.promql.value.Vector;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every {@code promqltest/*.test} script: one dynamic test per eval command, against {@link Engine} over a
 * {@link MemoryQueryable} loaded by the script's load commands. The script format is described in
 * {@link TestScript}.
 */
class PromqlScriptsTest {
  private final Engine engine = new Engine();

  @TestFactory
  Stream<DynamicNode> scripts() throws IOException, URISyntaxException {
    Path dir = Path.of(getClass().getResource("/promqltest").toURI());
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".test")).sorted().toList();
    }
    List<DynamicNode> nodes = new ArrayList<>();
    for (Path f : files) {
      nodes.add(DynamicContainer.dynamicContainer(f.getFileName().toString(), script(f)));
    }
    return nodes.stream();
  }

  private Stream<DynamicNode> script(Path file) throws IOException {
    List<TestScript.Command> commands = TestScript.parse(Files.readAllLines(file));
    MemoryQueryable store = new MemoryQueryable();
    List<DynamicNode> tests = new ArrayList<>();
    // Loads and clears apply in order, so each eval sees the data loaded before it.
    List<Runnable> pending = new ArrayList<>();
    for (TestScript.Command c : commands) {
      if (c instanceof TestScript.Load load) {
        pending.add(() -> load(store, load));
      } else if (c instanceof TestScript.Clear) {
        pending.add(store::clear);
      } else {
        TestScript.Eval e = (TestScript.Eval) c;
        List<Runnable> before = List.copyOf(pending);
        pending.clear();
        tests.add(DynamicTest.dynamicTest(file.getFileName() + ":" + e.line() + " " + e.expr(), () -> {
          before.forEach(Runnable::run);
          run(store, e);
        }));
      }
    }
    return tests.stream();
  }

  private static void load(MemoryQueryable store, TestScript.Load load) {
    for (TestScript.SeriesSpec s : load.series()) {
      for (int i = 0; i < s.values().size(); i++) {
        Double v = s.values().get(i);
        if (v != null) {
          store.add(s.labels(), i * load.intervalMillis(), v);
        }
      }
    }
  }

  private void run(MemoryQueryable store, TestScript.Eval e) {
    QueryResult result;
    try {
      result = e.range()
          ? engine.range(store, e.expr(), e.start(), e.end(), e.step(), QueryOptions.DEFAULT, () -> false)
          : engine.instant(store, e.expr(), e.start(), QueryOptions.DEFAULT, () -> false);
    } catch (QueryException ex) {
      if (!e.fail()) {
        fail("line " + e.line() + ": unexpected error for " + e.expr() + ": " + ex.getMessage());
      }
      if (e.failMessage() != null) {
        assertThat(ex.getMessage()).as("line %d error", e.line()).isEqualTo(e.failMessage());
      }
      if (e.failRegexp() != null) {
        assertThat(ex.getMessage()).as("line %d error", e.line()).containsPattern(e.failRegexp());
      }
      return;
    }
    if (e.fail()) {
      fail("line " + e.line() + ": expected an error for " + e.expr() + ", got " + describe(result.value()));
    }
    check(e, result.value());
  }

  private static void check(TestScript.Eval e, Value v) {
    String where = "line " + e.line() + " (" + e.expr() + ")";
    if (e.scalar() != null) {
      assertThat(v).as(where).isInstanceOf(Scalar.class);
      assertClose(where, e.scalar(), ((Scalar) v).value());
      return;
    }
    if (v instanceof Scalar s) {
      // promtool reports a scalar as a sample without labels, so expectations filled from it read "{} value".
      boolean oneUnlabelled = e.expected().size() == 1 && e.expected().get(0).labels().size() == 0
          && e.expected().get(0).values().size() == 1;
      if (!oneUnlabelled) {
        fail(where + ": expected a vector, got scalar " + s.value());
      }
      assertThat(s.timestampMillis()).as(where + " scalar time").isEqualTo(e.start());
      assertClose(where, e.expected().get(0).values().get(0), s.value());
      return;
    }
    Map<Labels, List<Double>> expected = new HashMap<>();
    for (TestScript.SeriesSpec s : e.expected()) {
      expected.put(s.labels(), s.values());
    }
    Map<Labels, List<Double>> actual = new HashMap<>();
    List<Labels> order = new ArrayList<>();
    if (v instanceof Vector vec) {
      for (Sample s : vec.samples()) {
        assertThat(s.timestampMillis()).as(where + " sample time").isEqualTo(e.start());
        if (actual.put(s.labels(), List.of(s.value())) != null) {
          fail(where + ": duplicate series " + s.labels());
        }
        order.add(s.labels());
      }
    } else if (v instanceof Matrix m) {
      for (Series s : m.series()) {
        List<Double> vals = new ArrayList<>();
        if (e.range()) {
          int j = 0;
          for (long t = e.start(); t <= e.end(); t += e.step()) {
            if (j < s.timestamps().length && s.timestamps()[j] == t) {
              vals.add(s.values()[j++]);
            } else {
              vals.add(null);
            }
          }
          while (!vals.isEmpty() && vals.get(vals.size() - 1) == null) {
            vals.remove(vals.size() - 1);
          }
        } else {
          for (double d : s.values()) {
            vals.add(d);
          }
        }
        actual.put(s.labels(), vals);
        order.add(s.labels());
      }
    } else {
      fail(where + ": unexpected result " + describe(v));
    }
    assertThat(actual.keySet()).as(where + " series; got " + describe(v))
        .containsExactlyInAnyOrderElementsOf(expected.keySet());
    for (Map.Entry<Labels, List<Double>> x : expected.entrySet()) {
      List<Double> want = new ArrayList<>(x.getValue());
      while (!want.isEmpty() && want.get(want.size() - 1) == null) {
        want.remove(want.size() - 1);
      }
      List<Double> got = actual.get(x.getKey());
      assertThat(got).as(where + " " + x.getKey() + " points; got " + got).hasSameSizeAs(want);
      for (int i = 0; i < want.size(); i++) {
        if (want.get(i) == null || got.get(i) == null) {
          assertThat(got.get(i)).as(where + " " + x.getKey() + " point " + i + "; got " + got).isEqualTo(want.get(i));
        } else {
          assertClose(where + " " + x.getKey() + " point " + i, want.get(i), got.get(i));
        }
      }
    }
    if (e.ordered()) {
      List<Labels> want = e.expected().stream().map(TestScript.SeriesSpec::labels).toList();
      assertThat(order).as(where + " order").containsExactlyElementsOf(want);
    }
  }

  private static void assertClose(String where, double want, double got) {
    if (Double.isNaN(want)) {
      assertThat(got).as(where).isNaN();
      return;
    }
    if (Double.isInfinite(want) || want == got) {
      assertThat(got).as(where).isEqualTo(want);
      return;
    }
    double tol = 1e-9 * Math.max(1, Math.max(Math.abs(want), Math.abs(got)));
    if (Math.abs(want - got) > tol) {
      fail(where + ": expected " + want + " but got " + got);
    }
  }

  private static String describe(Value v) {
    if (v instanceof Vector vec) {
      StringBuilder b = new StringBuilder("vector[");
      for (Sample s : vec.samples()) {
        b.append(s.labels()).append(' ').append(s.value()).append("; ");
      }
      return b.append(']').toString();
    }
    if (v instanceof Matrix m) {
      StringBuilder b = new StringBuilder("matrix[");
      for (Series s : m.series()) {
        b.append(s.labels()).append(' ').append(java.util.Arrays.toString(s.values())).append("; ");
      }
      return b.append(']').toString();
    }
    return v.toString();
  }
}
