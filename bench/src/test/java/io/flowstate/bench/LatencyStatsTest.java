package io.flowstate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("LatencyStats")
class LatencyStatsTest {
  @Test
  @DisplayName("percentiles of 1..1000 ms are where they should be, within HdrHistogram's precision")
  void percentiles() {
    LatencyStats stats = new LatencyStats();
    for (int ms = 1; ms <= 1000; ms++) {
      stats.recordNanos(ms * 1_000_000L);
    }
    stats.tick();
    LatencyStats.Interval t = stats.total();
    assertThat(t.count()).isEqualTo(1000);
    assertThat(t.p50() / 1000.0).isCloseTo(500, within(1.0));
    assertThat(t.p90() / 1000.0).isCloseTo(900, within(1.0));
    assertThat(t.p99() / 1000.0).isCloseTo(990, within(1.0));
    assertThat(t.max() / 1000.0).isCloseTo(1000, within(1.0));
  }

  @Test
  @DisplayName("warm-up samples reach the timeline but not the total")
  void warmupIsExcluded() {
    LatencyStats stats = new LatencyStats();
    stats.measuring(false);
    stats.recordMicros(50_000);
    stats.tick();
    stats.measuring(true);
    stats.recordMicros(1_000);
    stats.recordMicros(1_000);
    stats.tick();
    assertThat(stats.total().count()).isEqualTo(2);
    assertThat(stats.total().max()).isLessThan(1_100);
    assertThat(stats.timeline()).hasSize(2);
    assertThat(stats.timeline().get(0).max()).isGreaterThan(49_000);
  }

  @Test
  @DisplayName("the SVG chart draws a line per percentile")
  void svg() {
    LatencyStats stats = new LatencyStats();
    for (int s = 0; s < 3; s++) {
      stats.recordMicros(1_000 + s);
      stats.tick();
    }
    String svg = Svg.latencyChart("test", stats.timeline());
    assertThat(svg).startsWith("<svg").endsWith("</svg>\n").contains(">p50<", ">p99<", ">max<");
    assertThat(svg.split("<path ", -1)).hasSize(5);
  }
}
