package io.flowstate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.testkit.TestInfra;
import io.flowstate.testkit.WsTestClient;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The built jar as separate OS processes")
class MultiProcessIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final Vertx vertx = Vertx.vertx();
  private final JarProcesses processes = new JarProcesses(vertx);

  @AfterEach
  void stop() throws Exception {
    processes.close();
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

    JarProcesses.kill(gatewayB);
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
    return processes.get(port, path);
  }

  private Process start(String command, Map<String, String> env) throws IOException {
    return processes.start(command, env.getOrDefault("FLOWSTATE_GATEWAY_ID", "seq"), env);
  }

  private void awaitReady(int port) {
    processes.awaitReady(port, WAIT);
  }

  private static int freePort() throws IOException {
    return JarProcesses.freePort();
  }
}
