package io.flowstate.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowstate.testkit.Await;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The built jar ({@code target/flowstate.jar}) run as separate OS processes for integration
 * tests: start with an environment, wait for {@code /health/ready}, kill -9, stop them all.
 * Each process logs to {@code target/it-<name>.log}.
 */
final class JarProcesses implements AutoCloseable {
  private final Vertx vertx;
  private final List<Process> processes = new ArrayList<>();
  private final HttpClient http;

  JarProcesses(Vertx vertx) {
    this.vertx = vertx;
    this.http = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions().setKeepAlive(false));
  }

  Process start(String command, String name, Map<String, String> env) throws IOException {
    String jar = System.getProperty("flowstate.jar", "target/flowstate.jar");
    assertThat(new File(jar)).as("the built jar").exists();
    Path log = Path.of("target", "it-" + command + "-" + name + ".log");
    Files.createDirectories(log.getParent());
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", jar, command);
    builder.environment().putAll(env);
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    Process process = builder.start();
    processes.add(process);
    return process;
  }

  void awaitReady(int port, Duration wait) {
    AtomicBoolean ready = new AtomicBoolean();
    long timer = vertx.setPeriodic(200, t -> http.request(HttpMethod.GET, port, "127.0.0.1", "/health/ready")
        .compose(req -> req.send())
        .onSuccess(resp -> ready.set(resp.statusCode() == 200)));
    try {
      Await.until(vertx, ready::get, wait, "process ready on port " + port);
    } finally {
      vertx.cancelTimer(timer);
    }
  }

  String get(int port, String path) throws Exception {
    return http.request(HttpMethod.GET, port, "127.0.0.1", path)
        .compose(req -> req.send()).compose(resp -> resp.body()).map(b -> b.toString())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** kill -9: no drain, no lease release, no goodbye. */
  static void kill(Process process) throws InterruptedException {
    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }
}
