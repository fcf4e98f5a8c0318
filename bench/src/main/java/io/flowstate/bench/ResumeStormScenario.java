package io.flowstate.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code resume-storm}: N clients on gateway 0 (rooms of 20) while writers on gateway 1 keep
 * writing; gateway 0 is killed (kill -9 when the generator started it); every client reconnects
 * to gateway 1 at once and joins again with {@code since}. Measures the time from the kill until
 * the last client's {@code joined}, and checks that no client missed or repeated a version.
 * Target: 10,000 clients resumed in ≤ 5 s with no gap.
 */
public final class ResumeStormScenario implements Scenario {
  @Override
  public String name() {
    return "resume-storm";
  }

  @Override
  public void run(Bench b) {
    if (b.target.gateways().size() < 2) {
      b.out.println("resume-storm: skipped (needs two gateways)");
      return;
    }
    int n = b.options.integer("storm-clients", 1_000, 10_000);
    int rooms = Math.max(1, n / 20);
    double rate = b.options.integer("storm-rate", 100, 500);
    String victim = b.gateway(0);
    String survivor = b.gateway(1);
    Counters counters = new Counters();
    LatencyStats latency = new LatencyStats();
    Workload load = new Workload(b, name());
    List<WsClient> clients = load.connect(n, i -> victim, counters, latency);
    load.join(clients, i -> load.room(i % rooms));
    List<WsClient> writerClients = load.connect(rooms, i -> survivor, counters, latency);
    load.join(writerClients, load::room);
    List<Workload.Writer> writers = new ArrayList<>();
    for (int i = 0; i < rooms; i++) {
      writers.add(new Workload.Writer(writerClients.get(i), load.room(i)));
    }
    load.createShapes(writers);

    AtomicBoolean killed = new AtomicBoolean();
    long[] killedAt = {0};
    AtomicInteger resumed = new AtomicInteger();
    AtomicInteger attempts = new AtomicInteger();
    ConcurrentLinkedQueue<Long> resumeNanos = new ConcurrentLinkedQueue<>();
    for (WsClient c : clients) {
      c.onClose(client -> resume(b, client, survivor, killedAt, resumed, attempts, resumeNanos, killed));
    }
    AtomicBoolean writing = new AtomicBoolean(true);
    Thread writerThread = new Thread(() -> {
      while (writing.get()) {
        load.openLoop(writers, rate, 0.5);
      }
    }, "storm-writers");
    b.startProgress(name(), latency, () -> String.format(java.util.Locale.ROOT,
        "writes acked %,d | resumed %,d / %,d (attempts %,d)", counters.acked.sum(), resumed.get(), n, attempts.get()));
    writerThread.start();
    Bench.sleep(3000);
    CpuWindow cpu = new CpuWindow(b.target);
    killedAt[0] = System.nanoTime();
    killed.set(true);
    String how;
    if (b.target.canKill()) {
      b.target.kill(0);
      how = "kill -9 of the gateway process";
    } else {
      how = "all sockets of gateway 0 closed by the generator (the target cannot kill it)";
      clients.forEach(c -> c.simulateDrop());
    }
    boolean all = Bench.waitUntil(() -> resumed.get() >= n, Duration.ofSeconds(b.options.full ? 120 : 60));
    double allSecs = (System.nanoTime() - killedAt[0]) / 1e9;
    Bench.sleep(2000);
    writing.set(false);
    try {
      writerThread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Workload.drain(writerClients, Duration.ofSeconds(15));
    long prev = -1;
    while (prev != counters.deliveries.sum()) {
      prev = counters.deliveries.sum();
      Bench.sleep(1000);
    }
    b.stopProgress();
    latency.tick();
    cpu.report(b.report, name());
    Workload.Delivery d = load.delivery(clients);
    List<Long> sorted = resumeNanos.stream().sorted().toList();
    b.report.meta("resume-storm", how);
    b.report.add(name(), "clients on the killed gateway", n, "");
    b.report.add(name(), "resumed", resumed.get(), "clients", null, "all", resumed.get() >= n);
    b.report.add(name(), "time until all resumed", all ? allSecs : Double.NaN, "s", null,
        "≤ 5 s" + (n >= 10_000 ? "" : " (at 10k)"), n >= 10_000 ? all && allSecs <= 5 : null);
    if (!sorted.isEmpty()) {
      b.report.add(name(), "time until half resumed", sorted.get(sorted.size() / 2) / 1e9, "s");
    }
    b.report.add(name(), "reconnect attempts", attempts.get(), "");
    b.report.add(name(), "resumes from a snapshot", counters.snapshotJoins.sum(), "");
    b.report.add(name(), "lost", d.lost(), "events", null, "0", d.lost() == 0);
    b.report.add(name(), "duplicates", d.duplicates(), "events", null, "0", d.duplicates() == 0);
    b.report.add(name(), "out of order", d.outOfOrder(), "events", null, "0", d.outOfOrder() == 0);
    b.report.timeline(name(), latency.timeline());
    load.closeAll(clients);
    load.closeAll(writerClients);
    if (b.target.canKill()) {
      b.target.restart(0);
    }
  }

  private static void resume(Bench b, WsClient client, String survivor, long[] killedAt, AtomicInteger resumed,
      AtomicInteger attempts, ConcurrentLinkedQueue<Long> resumeNanos, AtomicBoolean killed) {
    if (!killed.get()) {
      return;
    }
    attempts.incrementAndGet();
    client.resume(survivor).onSuccess(v -> {
      resumeNanos.add(System.nanoTime() - killedAt[0]);
      resumed.incrementAndGet();
    }).onFailure(e -> b.vertx.setTimer(100 + (long) (Math.random() * 200),
        t -> resume(b, client, survivor, killedAt, resumed, attempts, resumeNanos, killed)));
  }
}
