package io.flowstate.bench;

import io.vertx.core.Future;
import io.vertx.core.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code idle}: N connections to one gateway, each joined to a room (50 per room), then nothing.
 * Memory per connection = (after − before) / N, measured from the gateway process after a full
 * GC (jcmd): heap + direct buffers from its JVM gauges, and resident set size from /proc. The
 * same N connections to a bare Vert.x echo server process with the same JVM options give the
 * baseline. Target: ≤ 8 KB per connection at 50,000 connections.
 */
public final class IdleScenario implements Scenario {
  /** Memory of a process: heap used, direct buffers, resident set. */
  record Mem(double heap, double direct, double rss) {
    double jvm() {
      return heap + direct;
    }
  }

  @Override
  public String name() {
    return "idle";
  }

  @Override
  public void run(Bench b) throws Exception {
    int n = b.options.integer("idle-connections", 5_000, 18_000);
    long pid = b.target.gatewayPid(0);
    String gateway = b.gateway(0);
    Mem before = pid > 0 ? gatewayMem(b, pid, gateway) : null;
    Counters counters = new Counters();
    Workload load = new Workload(b, name());
    b.startProgress(name(), null, () -> "connecting " + n + " clients to " + gateway);
    long t0 = System.nanoTime();
    List<WsClient> clients = load.connect(n, i -> gateway, counters, new LatencyStats());
    double connectSecs = (System.nanoTime() - t0) / 1e9;
    load.join(clients, i -> load.room(i / 50));
    b.stopProgress();
    Bench.sleep(2000);
    b.report.add(name(), "connections", n, "");
    b.report.add(name(), "connect rate", n / connectSecs, "conn/s");
    if (before != null) {
      Mem after = gatewayMem(b, pid, gateway);
      histogram(b, pid, "gateway", n);
      load.closeAll(clients);
      Mem echo = echoBaseline(b, n);
      double jvmPer = (after.jvm() - before.jvm()) / n;
      b.report.add(name(), "echo server heap+direct per conn", echo == null ? Double.NaN : echo.jvm() / 1024, "KB");
      b.report.add(name(), "echo server RSS per conn", echo == null ? Double.NaN : echo.rss() / 1024, "KB");
      if (echo != null) {
        b.report.baseline("echo heap+direct per conn", echo.jvm() / 1024, "KB");
        b.report.baseline("echo RSS per conn", echo.rss() / 1024, "KB");
      }
      b.report.add(name(), "gateway heap per conn", (after.heap() - before.heap()) / n / 1024, "KB");
      b.report.add(name(), "gateway direct per conn", (after.direct() - before.direct()) / n / 1024, "KB");
      b.report.add(name(), "gateway heap+direct per conn", jvmPer / 1024, "KB", "echo heap+direct per conn",
          "≤ 8 KB" + (n >= 50_000 ? "" : " (at 50k)"), n >= 50_000 ? jvmPer <= 8 * 1024 : null);
      b.report.add(name(), "gateway RSS per conn", (after.rss() - before.rss()) / n / 1024, "KB", "echo RSS per conn",
          null, null);
    } else {
      load.closeAll(clients);
    }
  }

  /** With {@code --out}, keeps the process's class histogram (what the connections are made of). */
  private static void histogram(Bench b, long pid, String who, int n) {
    String dir = b.options.string("out", null);
    if (dir != null && b.options.flag("heap-histogram")) {
      try {
        java.nio.file.Files.writeString(Path.of(dir, "heap-histogram-" + who + "-" + n + "-conns.txt"),
            ProcStats.jcmd(pid, "GC.class_histogram"));
      } catch (java.io.IOException e) {
        b.out.println("idle: cannot write the heap histogram: " + e.getMessage());
      }
    }
  }

  private static Mem gatewayMem(Bench b, long pid, String gateway) {
    ProcStats.fullGc(pid);
    Bench.sleep(1000);
    String m = b.metrics(gateway);
    return new Mem(PromText.sum(m, "jvm_memory_used_bytes", "area=\"heap\""),
        PromText.sum(m, "jvm_buffer_memory_used_bytes", "id=\"direct\""), ProcStats.rssBytes(pid));
  }

  /** Per-connection memory of the echo server (a separate JVM with the same options), or null. */
  private static Mem echoBaseline(Bench b, int n) throws Exception {
    int port = ProcessTarget.freePort();
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    for (String opt : b.options.string("jvm-opts", "-Xmx1g").trim().split("\\s+")) {
      if (!opt.isEmpty()) {
        cmd.add(opt);
      }
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), EchoServer.class.getName(), Integer.toString(port)));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    Connector connector = new Connector(b.vertx, Connector.loopbackSources(b.options.integer("sources", 8, 8)));
    try {
      ProcessTarget.awaitReady(port, p);
      String host = "127.0.0.1:" + port;
      Mem before = echoMem(b, host, p.pid());
      List<WebSocket> sockets = Bench.await(b.bounded(n, 200, i -> connector.open(host, "/")), Duration.ofMinutes(10));
      Bench.sleep(2000);
      Mem after = echoMem(b, host, p.pid());
      histogram(b, p.pid(), "echo", n);
      Bench.await(Future.all(sockets.stream().map(WebSocket::close).toList()), Duration.ofMinutes(2));
      return new Mem((after.heap() - before.heap()) / n, (after.direct() - before.direct()) / n,
          (after.rss() - before.rss()) / n);
    } catch (RuntimeException e) {
      b.out.println("idle: echo baseline failed: " + e.getMessage());
      return null;
    } finally {
      Bench.await(connector.close(), Duration.ofSeconds(30));
      p.destroyForcibly().waitFor();
    }
  }

  private static Mem echoMem(Bench b, String host, long pid) {
    ProcStats.fullGc(pid);
    Bench.sleep(500);
    String[] parts = Bench.await(b.get(host, "/mem"), Duration.ofSeconds(30)).trim().split(" ");
    return new Mem(Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), ProcStats.rssBytes(pid));
  }
}
