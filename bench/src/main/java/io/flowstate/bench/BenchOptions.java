package io.flowstate.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line options: {@code --name value} pairs and {@code --flag}s. Every scenario size has a
 * reduced default (a few minutes for the whole suite on 2 cores) and a {@code --full} default
 * (the scale); any explicit option wins.
 */
public final class BenchOptions {
  private final Map<String, String> values = new HashMap<>();
  public final boolean full;

  public BenchOptions(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + a + " (options are --name value)");
      }
      String name = a.substring(2);
      if (name.contains("=")) {
        values.put(name.substring(0, name.indexOf('=')), name.substring(name.indexOf('=') + 1));
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        values.put(name, args[++i]);
      } else {
        values.put(name, "true");
      }
    }
    full = flag("full");
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  public boolean flag(String name) {
    return Boolean.parseBoolean(values.getOrDefault(name, "false"));
  }

  public String string(String name, String def) {
    return values.getOrDefault(name, def);
  }

  /** An integer option: explicit value, else the full or reduced default. */
  public int integer(String name, int reduced, int fullScale) {
    String v = values.get(name);
    return v != null ? Integer.parseInt(v.replace("_", "")) : full ? fullScale : reduced;
  }

  /** Seconds (accepts {@code 30} or {@code 30s}). */
  public int seconds(String name, int reduced, int fullScale) {
    String v = values.get(name);
    return v != null ? Integer.parseInt(v.replace("s", "")) : full ? fullScale : reduced;
  }

  public List<String> list(String name, String def) {
    String v = values.getOrDefault(name, def);
    return v == null || v.isBlank() ? List.of() : List.of(v.split(","));
  }

  static final String USAGE = """
      usage: java -jar bench/target/flowstate-bench.jar [options]
        --scenario LIST      all | baselines,latency,fanout,idle,burst,resume-storm,history (comma-separated)
        --full               the issue's scale (default: reduced, a few minutes in all)
        --out DIR            results directory (default bench/results/<timestamp>)
      target (one of):
        --start              start FlowState: embedded Redis + PostgreSQL and the jar as processes (default)
          --jar PATH           FlowState jar (default app/target/flowstate.jar)
          --gateway-count N    gateway processes (default 2)
          --jvm-opts "..."     JVM options of the FlowState processes (default "-Xmx1g")
          --durable BOOL       PostgreSQL fsync + synchronous_commit on (default true)
          --jfr                record a Java Flight Recording of each FlowState process (logs/*.jfr)
        --gateways H:P,...   gateways already running (guest access on; raise their per-IP limits)
          --pg-url URL --redis-url URL   the same stores, for the baselines and the history seed
      load:
        --clients N --rooms N --writers N --rate OPS_PER_S --duration S --warmup S
        --sources N          spread connections over source addresses 127.0.0.1..N (default 8)
        --local-addresses A,B,...   explicit source addresses instead
        --idle-connections N --burst-clients N --burst-ops N --storm-clients N --storm-rate N
        --history-ops N --history-queries N
        --heap-histogram     idle: also save jcmd GC.class_histogram of the gateway and the echo server
      """;
}
