package io.flowstate.shared.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * FlowState's meters on one Micrometer registry, exposed in Prometheus text format. One registry
 * per process (shared by gateway and sequencer in dev mode, and by Vert.x's own metrics when the
 * launcher enables them); tests that do not care get a private one. Names are the contract of the
 * dashboards and alerts in docs/OPERATIONS.md.
 */
public final class Metrics {
  private final PrometheusMeterRegistry registry;

  public Metrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  /** A private registry (tests, or a service started without the launcher). */
  public static Metrics create() {
    return new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  public Counter counter(String name, String... tags) {
    return registry.counter(name, tags);
  }

  /** A counter for an error code, e.g. {@code flowstate_errors_total{code="invalid_op"}}. */
  public void count(String name, String tagKey, String tagValue) {
    registry.counter(name, tagKey, tagValue).increment();
  }

  public Timer timer(String name, String description) {
    return Timer.builder(name).description(description).publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
  }

  public DistributionSummary summary(String name, String description) {
    return DistributionSummary.builder(name).description(description).publishPercentileHistogram()
        .register(registry);
  }

  /** A gauge read from {@code value} at scrape time. */
  public void gauge(String name, String description, Supplier<Number> value) {
    io.micrometer.core.instrument.Gauge.builder(name, value).description(description).strongReference(true)
        .register(registry);
  }
}
