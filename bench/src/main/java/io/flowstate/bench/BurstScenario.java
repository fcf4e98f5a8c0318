package io.flowstate.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code burst}: B clients (rooms of 10) each send K ops at once; the time until every op is
 * answered gives the end-to-end commit throughput, compared with the raw batched INSERT rate of
 * the same PostgreSQL (target ≥ 60 %). The sequencer's own counters give its commits/s and the
 * mean group size.
 */
public final class BurstScenario implements Scenario {
  @Override
  public String name() {
    return "burst";
  }

  @Override
  public void run(Bench b) {
    int clientsN = b.options.integer("burst-clients", 100, 1000);
    int opsEach = b.options.integer("burst-ops", 50, 50);
    int rounds = b.options.integer("burst-rounds", 3, 3);
    Counters counters = new Counters();
    LatencyStats latency = new LatencyStats();
    Workload load = new Workload(b, name());
    List<WsClient> clients = load.connect(clientsN, b::gateway, counters, latency);
    int rooms = Math.max(1, clientsN / 10);
    load.join(clients, i -> load.room(i % rooms));
    List<Workload.Writer> writers = new ArrayList<>();
    for (int i = 0; i < clientsN; i++) {
      writers.add(new Workload.Writer(clients.get(i), load.room(i % rooms)));
    }
    load.createShapes(writers);
    b.startProgress(name(), latency, () -> String.format(java.util.Locale.ROOT, "sent %,d acked %,d errors %d",
        counters.sent.sum(), counters.acked.sum(), counters.errorCount()));
    String seqMetrics = b.target.sequencerMetrics();
    String m0 = b.metrics(seqMetrics);
    CpuWindow cpu = new CpuWindow(b.target);
    double seqCpu0 = ProcStats.cpuSeconds(b.target.sequencerPid(), false);
    double gwCpu0 = gatewayCpu(b);
    double best = 0;
    double totalSecs = 0;
    long total = 0;
    for (int r = 0; r < rounds; r++) {
      long acked0 = counters.acked.sum();
      long t0 = System.nanoTime();
      for (int k = 0; k < opsEach; k++) {
        for (Workload.Writer w : writers) {
          load.move(w);
        }
      }
      long n = (long) opsEach * clientsN;
      Bench.waitUntil(() -> counters.acked.sum() - acked0 >= n || counters.errorCount() > 0
          && clients.stream().allMatch(c -> c.inFlight() == 0), Duration.ofMinutes(2));
      double secs = (System.nanoTime() - t0) / 1e9;
      best = Math.max(best, n / secs);
      totalSecs += secs;
      total += n;
      b.out.printf(java.util.Locale.ROOT, "burst round %d: %,d ops answered in %.2f s = %,.0f ops/s%n", r + 1, n, secs,
          n / secs);
      Bench.sleep(100);
    }
    b.stopProgress();
    latency.tick();
    cpu.report(b.report, name());
    double seqCpu = ProcStats.cpuSeconds(b.target.sequencerPid(), false) - seqCpu0;
    double gwCpu = gatewayCpu(b) - gwCpu0;
    if (!Double.isNaN(seqCpu)) {
      // The sequencer orders on one event loop: this is its single-core ceiling.
      b.report.add(name(), "sequencer CPU per op", seqCpu * 1e6 / total, "µs");
      b.report.add(name(), "sequencer 1-core ceiling (1 s / CPU per op)", total / seqCpu, "ops/s");
    }
    if (!Double.isNaN(gwCpu)) {
      b.report.add(name(), "gateways CPU per op (incl. fan-out to 10)", gwCpu * 1e6 / total, "µs");
    }
    String m1 = b.metrics(seqMetrics);
    b.report.add(name(), "ops per burst", (double) opsEach * clientsN, "ops");
    b.report.add(name(), "commit throughput (mean of bursts)", total / totalSecs, "ops/s",
        "pg batched INSERT rows/s", "≥ 0.6 × baseline", ratioMet(b, total / totalSecs));
    b.report.add(name(), "commit throughput (best burst)", best, "ops/s", "pg batched INSERT rows/s",
        "≥ 0.6 × baseline", ratioMet(b, best));
    if (!m0.isEmpty() && !m1.isEmpty()) {
      double groups = PromText.sum(m1, "flowstate_commit_batch_count") - PromText.sum(m0, "flowstate_commit_batch_count");
      double rows = PromText.sum(m1, "flowstate_commit_batch_sum") - PromText.sum(m0, "flowstate_commit_batch_sum");
      double commitSecs = PromText.sum(m1, "flowstate_commit_latency_seconds_sum")
          - PromText.sum(m0, "flowstate_commit_latency_seconds_sum");
      b.report.add(name(), "sequencer mean group size", rows / groups, "ops/commit");
      b.report.add(name(), "sequencer time in commit statements", 100 * commitSecs / totalSecs, "% of wall");
    }
    Workload.latencyRows(b.report, name(), latency.total(), null, null, null, null, null);
    b.report.add(name(), "errors", counters.errorCount(), "", null, "0", counters.errorCount() == 0);
    b.report.add(name(), "retries after unavailable", counters.retries.sum(), "");
    counters.errors().forEach((code, n) -> b.out.println("burst: error " + code + " × " + n));
    load.closeAll(clients);
  }

  private static double gatewayCpu(Bench b) {
    double sum = 0;
    for (int i = 0; i < b.target.gateways().size(); i++) {
      sum += ProcStats.cpuSeconds(b.target.gatewayPid(i), false);
    }
    return sum;
  }

  private static Boolean ratioMet(Bench b, double value) {
    Double base = b.report.baselineValue("pg batched INSERT rows/s");
    return base == null ? null : value >= 0.6 * base;
  }
}
