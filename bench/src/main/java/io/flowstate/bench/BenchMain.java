package io.flowstate.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The FlowState load generator: {@code java -jar flowstate-bench.jar --scenario all}. Starts (or
 * targets) FlowState, measures the same-run baselines first, runs the chosen scenarios with a
 * progress line every second, then prints the summary table and writes results.csv,
 * results.json, summary.txt and latency SVGs to the results directory. docs/BENCHMARKS.md.
 */
public final class BenchMain {
  static final List<String> ORDER = List.of("baselines", "latency", "fanout", "burst", "history", "idle",
      "resume-storm");

  private BenchMain() {
  }

  public static void main(String[] args) throws Exception {
    BenchOptions options;
    try {
      options = new BenchOptions(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.print(BenchOptions.USAGE);
      System.exit(2);
      return;
    }
    if (options.flag("help")) {
      System.out.print(BenchOptions.USAGE);
      return;
    }
    Path out = Path.of(options.string("out", "bench/results/"
        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
    Files.createDirectories(out);
    Report report = new Report();
    Target target;
    if (options.has("gateways")) {
      target = new ExternalTarget(options.list("gateways", ""), options.string("pg-url", null),
          options.string("redis-url", null));
    } else {
      System.out.println("bench: starting FlowState (embedded Redis + PostgreSQL, jar processes)…");
      target = ProcessTarget.start(Path.of(options.string("jar", "app/target/flowstate.jar")), out.resolve("logs"),
          options.string("jvm-opts", "-Xmx1g"), options.integer("gateway-count", 2, 2),
          Boolean.parseBoolean(options.string("durable", "true")), options.flag("jfr"));
    }
    int exit = 0;
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(options.integer("event-loops",
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().availableProcessors())));
    try (target; Bench bench = new Bench(vertx, options, target, report, System.out)) {
      exit = run(bench, scenarios(options.string("scenario", "all")));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
    report.write(out);
    System.out.println();
    report.meta().forEach((k, v) -> System.out.println(k + ": " + v));
    report.printTable(System.out);
    System.out.println("\nresults: " + out.toAbsolutePath());
    System.exit(exit);
  }

  /** Runs the scenarios in order; a failing scenario is reported and the others still run. */
  static int run(Bench bench, List<Scenario> scenarios) {
    Report report = bench.report;
    report.meta("date", LocalDateTime.now().toString());
    report.meta("machine", Runtime.getRuntime().availableProcessors() + " cores, "
        + memTotal() + ", " + System.getProperty("os.name") + " " + System.getProperty("os.version"));
    report.meta("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    report.meta("target", bench.target.describe());
    report.meta("scale", bench.options.full ? "full" : "reduced");
    int failures = 0;
    for (Scenario s : scenarios) {
      System.out.println("\n=== " + s.name() + " ===");
      long t0 = System.nanoTime();
      try {
        s.run(bench);
      } catch (Exception | AssertionError e) {
        failures++;
        bench.stopProgress();
        System.out.println(s.name() + ": FAILED: " + e);
        e.printStackTrace(System.out);
        report.meta("failed " + s.name(), String.valueOf(e.getMessage()));
      }
      System.out.printf(java.util.Locale.ROOT, "=== %s done in %.1f s ===%n", s.name(), (System.nanoTime() - t0) / 1e9);
    }
    return failures == 0 ? 0 : 1;
  }

  static List<Scenario> scenarios(String spec) {
    Map<String, Scenario> all = new LinkedHashMap<>();
    all.put("baselines", new Baselines());
    all.put("latency", new LatencyScenario());
    all.put("fanout", new FanoutScenario());
    all.put("burst", new BurstScenario());
    all.put("history", new HistoryScenario());
    all.put("idle", new IdleScenario());
    all.put("resume-storm", new ResumeStormScenario());
    List<Scenario> chosen = new ArrayList<>();
    List<String> names = spec.equals("all") ? ORDER : List.of(spec.split(","));
    for (String name : ORDER) {
      if (names.contains(name)) {
        chosen.add(all.get(name));
      }
    }
    for (String name : names) {
      if (!all.containsKey(name)) {
        throw new IllegalArgumentException("unknown scenario " + name + "; known: " + ORDER);
      }
    }
    return chosen;
  }

  private static String memTotal() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024 / 1024 + " GiB RAM";
        }
      }
    } catch (Exception e) {
      return "unknown RAM";
    }
    return "unknown RAM";
  }

}
