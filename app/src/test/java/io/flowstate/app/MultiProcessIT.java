package io.flowstate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.testkit.Await;
import io.flowstate.testkit.TestInfra;
import io.flowstate.testkit.WsTestClient;
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
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The built jar as separate OS processes")
class MultiProcessIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final List<Process> processes = new ArrayList<>();
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() throws Exception {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a gateway process and a sequencer process complete the op path for a client")
  void gatewayAndSequencerProcesses() throws Exception {
    String prefix = "mp" + UUID.randomUUID().toString().substring(0, 8);
    int port = freePort();
    int sequencerPort = freePort();
    Map<String, String> env = Map.of(
        "FLOWSTATE_SEQUENCER_HTTP_PORT", Integer.toString(sequencerPort),
        "FLOWSTATE_REDIS_URL", TestInfra.redisUrl(),
        "FLOWSTATE_PG_URL", TestInfra.pgUrl(),
        "FLOWSTATE_REDIS_PREFIX", prefix,
        "FLOWSTATE_HTTP_HOST", "127.0.0.1",
        "FLOWSTATE_HTTP_PORT", Integer.toString(port),
        "FLOWSTATE_GUEST_ACCESS", "true",
        "FLOWSTATE_GATEWAY_ID", prefix + "-gw");
    start("sequencer", env);
    start("gateway", env);
    awaitReady(port);
    awaitReady(sequencerPort);

    WsTestClient alice = WsTestClient.connect(vertx, port, "/v1/ws?guest=alice", Map.of());
    WsTestClient bob = WsTestClient.connect(vertx, port, "/v1/ws?guest=bob", Map.of());
    assertThat(alice.next(WAIT).path("type").asText()).isEqualTo("welcome");
    assertThat(bob.next(WAIT).path("type").asText()).isEqualTo("welcome");
    TestCluster.join(alice, "smoke", null);
    TestCluster.join(bob, "smoke", null);
    TestCluster.sendOp(alice, "smoke", "op-1", TestCluster.createRect("s1", 3, 4));
    JsonNode seenByBob = bob.next("op", WAIT);
    assertThat(seenByBob.path("version").asLong()).isEqualTo(1);
    assertThat(seenByBob.path("author").path("id").asText()).isEqualTo("guest-alice");
    assertThat(alice.next("op", WAIT).path("id").asText()).isEqualTo("op-1");
    alice.close();
    bob.close();

    String metrics = get(port, "/metrics");
    assertThat(metrics).contains("flowstate_ops_submitted_total").contains("flowstate_gateway_connections");
    String sequencerMetrics = get(sequencerPort, "/metrics");
    assertThat(sequencerMetrics).containsPattern("flowstate_ops_committed_total(\\{[^}]*\\})? 1\\.0")
        .contains("flowstate_commit_latency_seconds_bucket");
  }

  private String get(int port, String path) throws Exception {
    return vertx.createHttpClient().request(HttpMethod.GET, port, "127.0.0.1", path)
        .compose(req -> req.send()).compose(resp -> resp.body()).map(b -> b.toString())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void start(String command, Map<String, String> env) throws IOException {
    String jar = System.getProperty("flowstate.jar", "target/flowstate.jar");
    assertThat(new File(jar)).as("the built jar").exists();
    Path log = Path.of("target", "it-" + command + ".log");
    Files.createDirectories(log.getParent());
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar, command);
    builder.environment().putAll(env);
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    processes.add(builder.start());
  }

  private void awaitReady(int port) {
    HttpClient http = vertx.createHttpClient();
    AtomicBoolean ready = new AtomicBoolean();
    long timer = vertx.setPeriodic(200, t -> http.request(HttpMethod.GET, port, "127.0.0.1", "/health/ready")
        .compose(req -> req.send())
        .onSuccess(resp -> ready.set(resp.statusCode() == 200)));
    try {
      Await.until(vertx, ready::get, WAIT, "gateway process ready on port " + port);
    } finally {
      vertx.cancelTimer(timer);
    }
    for (Process p : processes) {
      assertThat(p.isAlive()).as("process still running").isTrue();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
