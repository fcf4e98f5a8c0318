package io.flowstate.bench;

import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/** Hand-built SVG charts (output only): latency percentiles per second on a log scale. */
public final class Svg {
  private static final int W = 900;
  private static final int H = 420;
  private static final int LEFT = 70;
  private static final int RIGHT = 120;
  private static final int TOP = 40;
  private static final int BOTTOM = 50;

  private Svg() {
  }

  /** p50/p90/p99/max of each interval against time; the y axis is milliseconds, log10. */
  public static String latencyChart(String title, List<LatencyStats.Interval> intervals) {
    List<LatencyStats.Interval> points = intervals.stream().filter(i -> i.count() > 0).toList();
    StringBuilder s = new StringBuilder();
    s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
        .append("\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    s.append(text(W / 2.0, 22, "FlowState " + esc(title) + ": op → own event latency per second (ms, log scale)",
        "middle", 14));
    if (points.isEmpty()) {
      return s.append(text(W / 2.0, H / 2.0, "no samples", "middle", 12)).append("</svg>\n").toString();
    }
    double t0 = points.get(0).atSeconds();
    double t1 = Math.max(t0 + 1, points.get(points.size() - 1).atSeconds());
    double minMs = 0.1;
    double maxMs = Math.max(1, points.stream().mapToLong(LatencyStats.Interval::max).max().orElse(1000) / 1000.0);
    double lo = Math.floor(Math.log10(minMs));
    double hi = Math.ceil(Math.log10(maxMs));
    int plotW = W - LEFT - RIGHT;
    int plotH = H - TOP - BOTTOM;
    s.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(plotW)
        .append("\" height=\"").append(plotH).append("\" fill=\"none\" stroke=\"#888\"/>\n");
    for (double d = lo; d <= hi; d++) {
      double y = TOP + plotH * (1 - (d - lo) / (hi - lo));
      s.append(line(LEFT, y, LEFT + plotW, y, "#ddd"));
      double ms = Math.pow(10, d);
      s.append(text(LEFT - 6, y + 4, ms >= 1 ? String.format(Locale.ROOT, "%.0f", ms) : String.format(Locale.ROOT, "%.1f", ms),
          "end", 11));
    }
    int ticks = 8;
    for (int i = 0; i <= ticks; i++) {
      double t = t0 + (t1 - t0) * i / ticks;
      double x = LEFT + plotW * (t - t0) / (t1 - t0);
      s.append(text(x, TOP + plotH + 18, String.format(Locale.ROOT, "%.0f s", t - t0), "middle", 11));
    }
    s.append(text(LEFT + plotW / 2.0, H - 10, "time since the scenario started", "middle", 11));
    String[] names = {"p50", "p90", "p99", "max"};
    String[] colors = {"#1f77b4", "#2ca02c", "#ff7f0e", "#d62728"};
    List<ToLongFunction<LatencyStats.Interval>> getters = List.of(LatencyStats.Interval::p50,
        LatencyStats.Interval::p90, LatencyStats.Interval::p99, LatencyStats.Interval::max);
    for (int k = 0; k < names.length; k++) {
      StringBuilder path = new StringBuilder();
      for (LatencyStats.Interval p : points) {
        double ms = Math.max(minMs, getters.get(k).applyAsLong(p) / 1000.0);
        double x = LEFT + plotW * (p.atSeconds() - t0) / (t1 - t0);
        double y = TOP + plotH * (1 - (Math.log10(ms) - lo) / (hi - lo));
        path.append(path.length() == 0 ? "M" : " L").append(fmt(x)).append(',').append(fmt(y));
      }
      s.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(colors[k])
          .append("\" stroke-width=\"1.5\"/>\n");
      double ly = TOP + 20 + k * 18;
      s.append(line(W - RIGHT + 12, ly - 4, W - RIGHT + 36, ly - 4, colors[k]));
      s.append(text(W - RIGHT + 42, ly, names[k], "start", 12));
    }
    return s.append("</svg>\n").toString();
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String line(double x1, double y1, double x2, double y2, String color) {
    return "<line x1=\"" + fmt(x1) + "\" y1=\"" + fmt(y1) + "\" x2=\"" + fmt(x2) + "\" y2=\"" + fmt(y2)
        + "\" stroke=\"" + color + "\"/>\n";
  }

  private static String text(double x, double y, String content, String anchor, int size) {
    return "<text x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" text-anchor=\"" + anchor + "\" font-size=\"" + size + "\">"
        + content + "</text>\n";
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
