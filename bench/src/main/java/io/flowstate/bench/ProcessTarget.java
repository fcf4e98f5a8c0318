package io.flowstate.bench;

import io.flowstate.embedded.EmbeddedPostgresServer;
import io.flowstate.embedded.EmbeddedRedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * FlowState as the generator starts it: an embedded Redis, an embedded PostgreSQL (durable:
 * fsync and synchronous_commit on, data in a directory of its own, deleted at the end; or the
 * embedded default of fsync off), and the built jar as one {@code sequencer} and N {@code gateway}
 * OS processes, each logging to the results directory. Connection and rate limits are raised so
 * that the generator, not the per-IP limit, decides the load. With {@code jfr} every process
 * records a Java Flight Recording (profile settings) into the log directory, dumped at exit.
 */
public final class ProcessTarget implements Target {
  private final Path jar;
  private final Path logs;
  private final String jvmOpts;
  private final EmbeddedRedisServer redis;
  private final EmbeddedPostgresServer postgres;
  private final Path pgData;
  private final String pgUrl;
  private final Process sequencer;
  private final int sequencerPort;
  private final List<Process> gateways = new ArrayList<>();
  private final List<Integer> gatewayPorts = new ArrayList<>();
  private final boolean durable;
  private final boolean jfr;

  private ProcessTarget(Path jar, Path logs, String jvmOpts, int gatewayCount, boolean durable, boolean jfr)
      throws IOException {
    this.jfr = jfr;
    this.jar = jar;
    this.logs = logs;
    this.jvmOpts = jvmOpts;
    this.durable = durable;
    Files.createDirectories(logs);
    redis = EmbeddedRedisServer.start(0);
    pgData = durable ? Files.createTempDirectory("flowstate-bench-pg") : null;
    if (pgData != null) {
      Files.delete(pgData); // the server creates it
    }
    postgres = EmbeddedPostgresServer.start(pgData, 0);
    postgres.createDatabase("flowstate");
    pgUrl = postgres.url("flowstate");
    sequencerPort = freePort();
    Map<String, String> env = commonEnv();
    env.put("FLOWSTATE_SEQUENCER_ID", "bench-seq");
    env.put("FLOWSTATE_SEQUENCER_HTTP_HOST", "127.0.0.1");
    env.put("FLOWSTATE_SEQUENCER_HTTP_PORT", Integer.toString(sequencerPort));
    sequencer = launch("sequencer", "sequencer", env);
    awaitReady(sequencerPort, sequencer);
    for (int i = 0; i < gatewayCount; i++) {
      gatewayPorts.add(freePort());
      gateways.add(null);
      startGateway(i);
    }
  }

  /** Starts everything; fails with a clear message when the jar is missing or a process does not get ready. */
  public static ProcessTarget start(Path jar, Path logs, String jvmOpts, int gatewayCount, boolean durable,
      boolean jfr) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("FlowState jar not found at " + jar + " (build it: ./mvnw -B -o install -DskipTests)");
    }
    try {
      return new ProcessTarget(jar, logs, jvmOpts, gatewayCount, durable, jfr);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Map<String, String> commonEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("FLOWSTATE_REDIS_URL", redis.url());
    env.put("FLOWSTATE_PG_URL", pgUrl);
    env.put("FLOWSTATE_GUEST_ACCESS", "true");
    env.put("FLOWSTATE_LOG_LEVEL", "WARNING");
    env.put("FLOWSTATE_LOG_FORMAT", "text");
    return env;
  }

  private void startGateway(int i) {
    Map<String, String> env = commonEnv();
    env.put("FLOWSTATE_GATEWAY_ID", "bench-gw" + i);
    env.put("FLOWSTATE_HTTP_HOST", "127.0.0.1");
    env.put("FLOWSTATE_HTTP_PORT", Integer.toString(gatewayPorts.get(i)));
    env.put("FLOWSTATE_MAX_CONNECTIONS_PER_IP", "1000000");
    env.put("FLOWSTATE_MAX_CONNECTIONS_PER_USER", "1000");
    env.put("FLOWSTATE_OPS_PER_SECOND", "100000");
    env.put("FLOWSTATE_OPS_BURST", "100000");
    Process p = launch("gateway", "gw" + i, env);
    gateways.set(i, p);
    awaitReady(gatewayPorts.get(i), p);
  }

  private Process launch(String command, String name, Map<String, String> env) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String opt : jvmOpts.trim().split("\\s+")) {
      if (!opt.isEmpty()) {
        cmd.add(opt);
      }
    }
    if (jfr) {
      cmd.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
          + logs.resolve(name + "-" + System.currentTimeMillis() + ".jfr"));
    }
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.add(command);
    ProcessBuilder builder = new ProcessBuilder(cmd);
    builder.environment().putAll(env);
    builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(name + ".log").toFile()));
    try {
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + cmd, e);
    }
  }

  static void awaitReady(int port, Process process) {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("process on port " + port + " exited with " + process.exitValue()
            + " (see its log in the results directory)");
      }
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/health/ready").toURL()
            .openConnection();
        c.setConnectTimeout(1000);
        c.setReadTimeout(1000);
        if (c.getResponseCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      sleep(200);
    }
    throw new IllegalStateException("process on port " + port + " not ready within 60 s");
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public List<String> gateways() {
    return gatewayPorts.stream().map(p -> "127.0.0.1:" + p).toList();
  }

  @Override
  public String pgUrl() {
    return pgUrl;
  }

  @Override
  public String redisUrl() {
    return redis.url();
  }

  @Override
  public long gatewayPid(int i) {
    Process p = gateways.get(i);
    return p != null && p.isAlive() ? p.pid() : -1;
  }

  @Override
  public long sequencerPid() {
    return sequencer.pid();
  }

  @Override
  public long postgresPid() {
    return postgres.pid();
  }

  @Override
  public long redisPid() {
    return redis.pid();
  }

  @Override
  public String sequencerMetrics() {
    return "127.0.0.1:" + sequencerPort;
  }

  @Override
  public boolean canKill() {
    return true;
  }

  @Override
  public void kill(int i) {
    Process p = gateways.get(i);
    p.destroyForcibly();
    try {
      p.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void restart(int i) {
    startGateway(i);
  }

  @Override
  public String describe() {
    return "jar " + jar + " as 1 sequencer + " + gateways.size() + " gateway processes (JVM options '" + jvmOpts
        + "'), embedded Redis, embedded PostgreSQL " + (durable ? "(fsync on, synchronous_commit on)"
        : "(fsync off, as the test suite runs it)");
  }

  @Override
  public void close() {
    for (Process p : gateways) {
      if (p != null) {
        p.destroy();
      }
    }
    sequencer.destroy();
    for (Process p : Stream.concat(gateways.stream(), Stream.of(sequencer)).toList()) {
      try {
        if (p != null && !p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    redis.close();
    postgres.close();
    if (pgData != null && Files.exists(pgData)) {
      try (Stream<Path> walk = Files.walk(pgData)) {
        walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        System.err.println("bench: could not delete " + pgData + ": " + e.getMessage());
      }
    }
  }
}
