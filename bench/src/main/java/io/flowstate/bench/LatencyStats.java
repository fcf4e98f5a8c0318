package io.flowstate.bench;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latency accounting of one scenario: every sample goes into an interval {@link Recorder}
 * (thread-safe, wait-free for the recording threads); {@link #tick} closes the interval, keeps
 * its percentiles for the chart and adds it to the total unless the run is still warming up.
 * Values are recorded in microseconds, 1 µs to 1 hour, 3 significant digits.
 */
public final class LatencyStats {
  private static final long MAX_MICROS = 3_600_000_000L;

  /** Percentiles of one interval (or of the whole run), in microseconds. */
  public record Interval(double atSeconds, long count, long p50, long p90, long p99, long p999, long max) {
  }

  private final Recorder recorder = new Recorder(MAX_MICROS, 3);
  private final Histogram total = new Histogram(MAX_MICROS, 3);
  private final List<Interval> timeline = new ArrayList<>();
  private Histogram lastInterval;
  private final long startNanos = System.nanoTime();
  private volatile boolean measuring = true;

  /** Records one sample. Negative or zero durations count as 1 µs. */
  public void recordNanos(long nanos) {
    recorder.recordValue(Math.min(MAX_MICROS, Math.max(1, nanos / 1_000)));
  }

  public void recordMicros(long micros) {
    recorder.recordValue(Math.min(MAX_MICROS, Math.max(1, micros)));
  }

  /** While false (warm-up), samples reach the timeline but not the total. */
  public void measuring(boolean on) {
    measuring = on;
  }

  /** Closes the current interval; call once per second from one thread. */
  public synchronized Interval tick() {
    lastInterval = recorder.getIntervalHistogram(lastInterval);
    Interval interval = of((System.nanoTime() - startNanos) / 1e9, lastInterval);
    timeline.add(interval);
    if (measuring) {
      total.add(lastInterval);
    }
    return interval;
  }

  /** Empties the total (to measure the next step of a ramp on its own); the timeline stays. */
  public synchronized void resetTotal() {
    total.reset();
  }

  /** The whole measured run (after {@link #tick} moved the last samples in). */
  public synchronized Interval total() {
    return of((System.nanoTime() - startNanos) / 1e9, total);
  }

  public synchronized Histogram totalHistogram() {
    return total.copy();
  }

  public synchronized List<Interval> timeline() {
    return List.copyOf(timeline);
  }

  static Interval of(double at, Histogram h) {
    if (h.getTotalCount() == 0) {
      return new Interval(at, 0, 0, 0, 0, 0, 0);
    }
    return new Interval(at, h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
        h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue());
  }
}
