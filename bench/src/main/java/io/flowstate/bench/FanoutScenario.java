package io.flowstate.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code fanout}: R rooms × M members, W writers per room, the total op rate raised in steps;
 * every member accounts every event of its room (loss, duplicates, order). Reports deliveries/s
 * per step and the most with p99 ≤ 1 s, as a ratio to the raw Redis pub/sub throughput of the
 * same run. Target: 100 × 50, 5 writers, 0 lost,
 * 0 out of order.
 */
public final class FanoutScenario implements Scenario {
  @Override
  public String name() {
    return "fanout";
  }

  @Override
  public void run(Bench b) {
    int rooms = b.options.integer("rooms", 20, 100);
    int members = b.options.integer("members", 10, 50);
    int writersPerRoom = b.options.integer("writers", 2, 5);
    List<String> steps = b.options.list("fanout-rates", b.options.full ? "500,1000,2000" : "200,500,1000");
    double rate = Double.parseDouble(steps.get(0));
    int warmup = b.options.seconds("warmup", 3, 10);
    int duration = b.options.seconds("step-duration", 10, 20);
    Counters counters = new Counters();
    LatencyStats latency = new LatencyStats();
    Workload load = new Workload(b, name());
    int n = rooms * members;
    b.out.printf("fanout: %d rooms × %d members, %d writers per room, steps of %s ops/s, %d s each%n", rooms, members,
        writersPerRoom, steps, duration);
    List<WsClient> clients = load.connect(n, b::gateway, counters, latency);
    load.join(clients, i -> load.room(i / members));
    List<Workload.Writer> writers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (i % members < writersPerRoom) {
        writers.add(new Workload.Writer(clients.get(i), load.room(i / members)));
      }
    }
    load.createShapes(writers);
    latency.measuring(false);
    long[] lastDeliveries = {counters.deliveries.sum()};
    b.startProgress(name(), latency, () -> {
      long d = counters.deliveries.sum();
      String line = String.format(java.util.Locale.ROOT, "sent %,d acked %,d deliveries/s %,d errors %d",
          counters.sent.sum(), counters.acked.sum(), d - lastDeliveries[0], counters.errorCount());
      lastDeliveries[0] = d;
      return line;
    });
    load.openLoop(writers, rate, warmup);
    latency.tick();
    latency.measuring(true);
    CpuWindow cpu = new CpuWindow(b.target);
    double best = 0;
    double bestRate = 0;
    for (String step : steps) {
      double stepRate = Double.parseDouble(step);
      latency.tick();
      latency.resetTotal();
      long d0 = counters.deliveries.sum();
      long t0 = System.nanoTime();
      load.openLoop(writers, stepRate, duration);
      double secs = (System.nanoTime() - t0) / 1e9;
      double perSecond = (counters.deliveries.sum() - d0) / secs;
      latency.tick();
      LatencyStats.Interval t = latency.total();
      String at = " @ " + step + " ops/s";
      b.report.add(name(), "deliveries/s" + at, perSecond, "events/s", "redis pub/sub msgs/s", null, null);
      b.report.add(name(), "op→own event p50" + at, t.p50() / 1000.0, "ms");
      b.report.add(name(), "op→own event p99" + at, t.p99() / 1000.0, "ms");
      b.out.printf(java.util.Locale.ROOT, "fanout step %s ops/s: %,.0f deliveries/s, p99 %.1f ms%n", step, perSecond,
          t.p99() / 1000.0);
      if (t.p99() <= 1_000_000 && perSecond > best) {
        best = perSecond;
        bestRate = stepRate;
      }
    }
    cpu.report(b.report, name());
    Workload.drain(clients, Duration.ofSeconds(15));
    // Let the last events reach every member: wait until deliveries stop growing.
    long prev = -1;
    while (prev != counters.deliveries.sum()) {
      prev = counters.deliveries.sum();
      Bench.sleep(1000);
    }
    b.stopProgress();
    latency.tick();
    Workload.Delivery d = load.delivery(clients);
    b.report.add(name(), "members", n, "");
    b.report.add(name(), "max deliveries/s with p99 ≤ 1 s", best, "events/s", "redis pub/sub msgs/s", null, null);
    b.report.add(name(), "at offered rate", bestRate, "ops/s");
    boolean full = rooms >= 100 && members >= 50 && writersPerRoom >= 5;
    b.report.add(name(), "lost", d.lost(), "events", null, "0", d.lost() == 0);
    b.report.add(name(), "duplicates", d.duplicates(), "events", null, "0", d.duplicates() == 0);
    b.report.add(name(), "out of order", d.outOfOrder(), "events", null, "0", d.outOfOrder() == 0);
    b.report.add(name(), "resyncs", counters.resyncs.sum(), "");
    b.report.add(name(), "errors", counters.errorCount(), "", null, "0", counters.errorCount() == 0);
    if (!full) {
      b.report.meta("fanout scale", rooms + "×" + members + ", " + writersPerRoom + " writers (target scale 100×50, 5)");
    }
    b.report.timeline(name(), latency.timeline());
    load.closeAll(clients);
  }
}
