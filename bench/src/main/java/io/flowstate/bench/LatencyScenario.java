package io.flowstate.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code latency}: C clients in rooms of 10, all writing, at a fixed total rate (open loop);
 * latency is op sent → the client's own op event (its acknowledgement, after the durable commit
 * and the Redis round trips). Target: ~1,000 clients at 2,000 ops/s, p50 ≤ 2 ms, p99 ≤ 10 ms.
 */
public final class LatencyScenario implements Scenario {
  @Override
  public String name() {
    return "latency";
  }

  @Override
  public void run(Bench b) {
    int clientsN = b.options.integer("clients", 200, 1000);
    int roomSize = 10;
    int rooms = b.options.integer("rooms", Math.max(1, clientsN / roomSize), Math.max(1, clientsN / roomSize));
    double rate = b.options.integer("rate", 500, 2000);
    int warmup = b.options.seconds("warmup", 5, 10);
    int duration = b.options.seconds("duration", 15, 60);
    Counters counters = new Counters();
    LatencyStats latency = new LatencyStats();
    Workload load = new Workload(b, name());
    b.out.printf("latency: %d clients, %d rooms, %.0f ops/s, warm-up %d s, measured %d s%n", clientsN, rooms, rate,
        warmup, duration);
    List<WsClient> clients = load.connect(clientsN, b::gateway, counters, latency);
    load.join(clients, i -> load.room(i % rooms));
    List<Workload.Writer> writers = new ArrayList<>();
    for (int i = 0; i < clientsN; i++) {
      writers.add(new Workload.Writer(clients.get(i), load.room(i % rooms)));
    }
    load.createShapes(writers);
    latency.measuring(false);
    b.startProgress(name(), latency, () -> String.format(java.util.Locale.ROOT, "sent %,d acked %,d errors %d",
        counters.sent.sum(), counters.acked.sum(), counters.errorCount()));
    load.openLoop(writers, rate, warmup);
    latency.tick();
    latency.measuring(true);
    long acked0 = counters.acked.sum();
    CpuWindow cpu = new CpuWindow(b.target);
    long t0 = System.nanoTime();
    load.openLoop(writers, rate, duration);
    boolean drained = Workload.drain(clients, Duration.ofSeconds(15));
    double secs = (System.nanoTime() - t0) / 1e9;
    b.stopProgress();
    latency.tick();
    cpu.report(b.report, name());
    LatencyStats.Interval t = latency.total();
    b.report.add(name(), "clients", clientsN, "");
    b.report.add(name(), "offered rate", rate, "ops/s");
    b.report.add(name(), "acknowledged rate", (counters.acked.sum() - acked0) / secs, "ops/s");
    boolean scaleOk = clientsN >= 1000 && rate >= 2000;
    Workload.latencyRows(b.report, name(), t, "pg single-row commit p50",
        "≤ 2 ms" + (scaleOk ? "" : " (at 1k clients, 2k ops/s)"), scaleOk ? t.p50() <= 2000 : null,
        "≤ 10 ms" + (scaleOk ? "" : " (at 1k clients, 2k ops/s)"), scaleOk ? t.p99() <= 10_000 : null);
    b.report.add(name(), "errors (incl. unavailable, retried)", counters.errorCount(), "", null, "0",
        counters.errorCount() == 0);
    b.report.add(name(), "retries after unavailable", counters.retries.sum(), "");
    b.report.add(name(), "duplicate acks (retried op already committed)", counters.duplicateAcks.sum(), "");
    b.report.add(name(), "unanswered at end", drained ? 0 : clients.stream().mapToInt(WsClient::inFlight).sum(), "ops");
    b.report.timeline(name(), latency.timeline());
    counters.errors().forEach((code, n) -> b.out.println("latency: error " + code + " × " + n));
    load.closeAll(clients);
  }
}
