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

  @Test
  @DisplayName("a gateway process killed with -9 loses nothing acknowledged: its users get presence_left on the "
      + "other gateway within the TTL and resume there with since")
  void killedGatewayProcess() throws Exception {
    String prefix = "mk" + UUID.randomUUID().toString().substring(0, 8);
    int portA = freePort();
    int portB = freePort();
    Map<String, String> common = Map.of(
        "FLOWSTATE_REDIS_URL", TestInfra.redisUrl(),
        "FLOWSTATE_PG_URL", TestInfra.pgUrl(),
        "FLOWSTATE_REDIS_PREFIX", prefix,
        "FLOWSTATE_HTTP_HOST", "127.0.0.1",
        "FLOWSTATE_GUEST_ACCESS", "true",
        "FLOWSTATE_PRESENCE_TTL_MS", "1500",
        "FLOWSTATE_SEQUENCER_HTTP_PORT", Integer.toString(freePort()));
    start("sequencer", common);
    java.util.Map<String, String> envA = new java.util.HashMap<>(common);
    envA.put("FLOWSTATE_HTTP_PORT", Integer.toString(portA));
    envA.put("FLOWSTATE_GATEWAY_ID", prefix + "-a");
    java.util.Map<String, String> envB = new java.util.HashMap<>(common);
    envB.put("FLOWSTATE_HTTP_PORT", Integer.toString(portB));
    envB.put("FLOWSTATE_GATEWAY_ID", prefix + "-b");
    start("gateway", envA);
    Process gatewayB = start("gateway", envB);
    awaitReady(portA);
    awaitReady(portB);

    WsTestClient alice = WsTestClient.connect(vertx, portA, "/v1/ws?guest=alice", Map.of());
    WsTestClient bob = WsTestClient.connect(vertx, portB, "/v1/ws?guest=bob", Map.of());
    TestCluster.join(alice, "kill", null);
    TestCluster.join(bob, "kill", null);
    alice.await(f -> f.path("type").asText().equals("members") && f.path("users").size() == 2, WAIT);
    TestCluster.sendOp(bob, "kill", "b-1", TestCluster.createRect("s", 0, 0));
    assertThat(bob.next("op", WAIT).path("version").asLong()).isEqualTo(1);

    gatewayB.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    long killed = System.nanoTime();
    JsonNode left = alice.await(f -> f.path("type").asText().equals("presence_left"), WAIT);
    long ms = (System.nanoTime() - killed) / 1_000_000;
    assertThat(left.path("user").path("id").asText()).isEqualTo("guest-bob");
    System.out.printf("MultiProcessIT: presence_left for the killed gateway's user after %d ms (TTL 1500 ms)%n", ms);

    WsTestClient bobAgain = WsTestClient.connect(vertx, portA, "/v1/ws?guest=bob", Map.of());
    JsonNode joined = TestCluster.join(bobAgain, "kill", 1L);
    assertThat(joined.path("version").asLong()).isEqualTo(1);
    TestCluster.sendOp(bobAgain, "kill", "b-1", TestCluster.createRect("s", 0, 0));
    assertThat(bobAgain.next("ack", WAIT).path("version").asLong()).isEqualTo(1);
    TestCluster.sendOp(bobAgain, "kill", "b-2", TestCluster.move("s", 5, 5));
    assertThat(alice.next("op", WAIT).path("version").asLong()).isEqualTo(1);
    assertThat(alice.next("op", WAIT).path("version").asLong()).isEqualTo(2);
    alice.close();
    bobAgain.close();
  }

  private String get(int port, String path) throws Exception {
    return vertx.createHttpClient().request(HttpMethod.GET, port, "127.0.0.1", path)
        .compose(req -> req.send()).compose(resp -> resp.body()).map(b -> b.toString())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private Process start(String command, Map<String, String> env) throws IOException {
    String jar = System.getProperty("flowstate.jar", "target/flowstate.jar");
    assertThat(new File(jar)).as("the built jar").exists();
    Path log = Path.of("target", "it-" + command + "-" + env.getOrDefault("FLOWSTATE_GATEWAY_ID", "") + ".log");
    Files.createDirectories(log.getParent());
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar, command);
    builder.environment().putAll(env);
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    Process process = builder.start();
    processes.add(process);
    return process;
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
