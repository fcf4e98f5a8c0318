package io.flowstate.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results of one run: rows of (scenario, metric, value, unit), each optionally with the
 * same-run baseline it is compared to (ratio = value / baseline) and the target with
 * whether it was met; plus run metadata and per-scenario latency timelines. Written as a table
 * on stdout, {@code results.csv}, {@code results.json} and one {@code latency-<scenario>.svg}
 * per timeline.
 */
public final class Report {
  /** One figure. {@code baseline}/{@code target}/{@code met} may be null. */
  public record Row(String scenario, String metric, double value, String unit, String baseline,
      Double baselineValue, String target, Boolean met) {
    public Double ratio() {
      return baselineValue == null || baselineValue == 0 || Double.isNaN(baselineValue) ? null
          : value / baselineValue;
    }
  }

  private final List<Row> rows = new ArrayList<>();
  private final Map<String, String> meta = new LinkedHashMap<>();
  private final Map<String, List<LatencyStats.Interval>> timelines = new LinkedHashMap<>();
  private final Map<String, Double> baselines = new LinkedHashMap<>();

  public synchronized void meta(String key, String value) {
    meta.put(key, value);
  }

  public synchronized Map<String, String> meta() {
    return Map.copyOf(meta);
  }

  /** A baseline figure that later rows refer to by name. */
  public synchronized void baseline(String name, double value, String unit) {
    baselines.put(name, value);
    rows.add(new Row("baseline", name, value, unit, null, null, null, null));
  }

  public synchronized Double baselineValue(String name) {
    return baselines.get(name);
  }

  public synchronized void add(String scenario, String metric, double value, String unit) {
    rows.add(new Row(scenario, metric, value, unit, null, null, null, null));
  }

  /** A figure compared with a baseline of this run (if it was measured) and/or a target. */
  public synchronized void add(String scenario, String metric, double value, String unit, String baseline,
      String target, Boolean met) {
    Double b = baseline == null ? null : baselines.get(baseline);
    rows.add(new Row(scenario, metric, value, unit, b == null ? null : baseline, b, target, met));
  }

  public synchronized void timeline(String scenario, List<LatencyStats.Interval> intervals) {
    timelines.put(scenario, List.copyOf(intervals));
  }

  public synchronized List<Row> rows() {
    return List.copyOf(rows);
  }

  public synchronized Row find(String scenario, String metric) {
    return rows.stream().filter(r -> r.scenario().equals(scenario) && r.metric().equals(metric)).findFirst()
        .orElse(null);
  }

  static String num(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.format(Locale.ROOT, "%,d", (long) v);
    }
    return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%,.0f", v)
        : Math.abs(v) >= 1 ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%.3f", v);
  }

  public synchronized void printTable(PrintStream out) {
    String format = "%-13s %-34s %14s %-8s %-24s %8s %-14s %-4s%n";
    out.printf(format, "scenario", "metric", "value", "unit", "baseline (same run)", "ratio", "target", "met");
    out.println("-".repeat(126));
    for (Row r : rows) {
      Double ratio = r.ratio();
      out.printf(format, r.scenario(), r.metric(), num(r.value()), r.unit(),
          r.baseline() == null ? "" : r.baseline(), ratio == null ? "" : String.format(Locale.ROOT, "%.3f", ratio),
          r.target() == null ? "" : r.target(), r.met() == null ? "" : r.met() ? "yes" : "NO");
    }
  }

  /** Writes results.csv, results.json, summary.txt and the SVG charts into {@code dir}. */
  public synchronized void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    StringBuilder csv = new StringBuilder("scenario,metric,value,unit,baseline,baseline_value,ratio,target,met\n");
    for (Row r : rows) {
      csv.append(r.scenario()).append(',').append(r.metric()).append(',').append(r.value()).append(',')
          .append(r.unit()).append(',').append(r.baseline() == null ? "" : r.baseline()).append(',')
          .append(r.baselineValue() == null ? "" : r.baselineValue()).append(',')
          .append(r.ratio() == null ? "" : r.ratio()).append(',')
          .append(r.target() == null ? "" : '"' + r.target() + '"').append(',')
          .append(r.met() == null ? "" : r.met()).append('\n');
    }
    Files.writeString(dir.resolve("results.csv"), csv, StandardCharsets.UTF_8);
    ObjectNode json = Json.object();
    ObjectNode m = json.putObject("meta");
    meta.forEach(m::put);
    ArrayNode results = json.putArray("results");
    for (Row r : rows) {
      ObjectNode o = results.addObject().put("scenario", r.scenario()).put("metric", r.metric())
          .put("value", r.value()).put("unit", r.unit());
      if (r.baseline() != null) {
        o.put("baseline", r.baseline()).put("baselineValue", r.baselineValue()).put("ratio", r.ratio());
      }
      if (r.target() != null) {
        o.put("target", r.target());
      }
      if (r.met() != null) {
        o.put("met", r.met());
      }
    }
    ObjectNode tl = json.putObject("timelines");
    timelines.forEach((scenario, intervals) -> {
      ArrayNode a = tl.putArray(scenario);
      for (LatencyStats.Interval i : intervals) {
        a.addObject().put("t", i.atSeconds()).put("count", i.count()).put("p50us", i.p50()).put("p90us", i.p90())
            .put("p99us", i.p99()).put("p999us", i.p999()).put("maxUs", i.max());
      }
    });
    Files.writeString(dir.resolve("results.json"),
        Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json), StandardCharsets.UTF_8);
    try (PrintStream out = new PrintStream(Files.newOutputStream(dir.resolve("summary.txt")), true,
        StandardCharsets.UTF_8)) {
      meta.forEach((k, v) -> out.println(k + ": " + v));
      out.println();
      printTable(out);
    }
    for (Map.Entry<String, List<LatencyStats.Interval>> e : timelines.entrySet()) {
      Files.writeString(dir.resolve("latency-" + e.getKey() + ".svg"), Svg.latencyChart(e.getKey(), e.getValue()),
          StandardCharsets.UTF_8);
    }
  }
}
