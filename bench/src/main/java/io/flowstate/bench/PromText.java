package io.flowstate.bench;

/** Reads values out of a Prometheus text exposition (the /metrics answer). */
public final class PromText {
  private PromText() {
  }

  /**
   * Sum of the samples of {@code name} whose label set contains every {@code labelFilters} entry
   * (each written {@code key="value"}); NaN when there is none.
   */
  public static double sum(String text, String name, String... labelFilters) {
    double total = 0;
    boolean found = false;
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || !line.startsWith(name)) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      String series = line.substring(0, space);
      String bare = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
      if (!bare.equals(name)) {
        continue;
      }
      boolean match = true;
      for (String f : labelFilters) {
        match &= series.contains(f);
      }
      if (match) {
        try {
          total += Double.parseDouble(line.substring(space + 1).trim());
          found = true;
        } catch (NumberFormatException ignored) {
          // a timestamped or malformed sample: skip
        }
      }
    }
    return found ? total : Double.NaN;
  }
}
