package io.flowstate.app;

import static io.flowstate.app.TestCluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.shared.protocol.Json;
import io.flowstate.testkit.RawWsClient;
import io.flowstate.testkit.WsTestClient;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Slow, silent and departing peers")
class OverloadTest extends ClusterTest {

  private static RawWsClient rawJoin(int port, String guest, String room, int receiveBuffer) {
    RawWsClient raw = RawWsClient.connect(port, "/v1/ws?guest=" + guest, receiveBuffer);
    raw.sendText("{\"type\":\"join\",\"room\":\"" + room + "\"}");
    for (int i = 0; i < 10; i++) {
      RawWsClient.Frame f = raw.read(WAIT);
      if (f != null && f.opcode() == 1 && f.json().path("type").asText().equals("joined")) {
        return raw;
      }
    }
    throw new AssertionError("raw client did not join");
  }

  private static JsonNode bigText(String id, int i) {
    var shape = Json.object().put("id", id).put("type", "text").put("x", i).put("y", i).put("text", "w".repeat(9_000));
    return Json.object().put("kind", "create_shape").set("shape", shape);
  }

  @Test
  @DisplayName("a client that stops reading gets resync instead of slowing the others, and after rejoining with "
      + "since has every op")
  void slowConsumer() {
    cluster = TestCluster.start(1, b -> b.maxOutboundBytes(32 * 1024)
        .opsRate(new io.flowstate.shared.config.GatewayConfig.Rate(10_000, 10_000)));
    String room = "slow-" + cluster.prefix;
    WsTestClient writer = cluster.connect(0, "writer");
    TestCluster.join(writer, room, null);
    WsTestClient reader = cluster.connect(0, "reader");
    TestCluster.join(reader, room, null);
    RawWsClient stalled = rawJoin(cluster.port(0), "stalled", room, 4096);

    int ops = 400;
    long started = System.nanoTime();
    for (int i = 1; i <= ops; i++) {
      TestCluster.sendOp(writer, room, "big-" + i, bigText("t" + i, i));
    }
    for (int i = 1; i <= ops; i++) {
      assertThat(reader.next("op", WAIT).path("version").asLong()).isEqualTo(i);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf("OverloadTest: %d ops of 9 KB reached the reading client in %.2f s while one client stalled%n",
        ops, seconds);

    long resyncFrom = -1;
    long lastVersion = 0;
    int closeCode = 0;
    for (RawWsClient.Frame f = stalled.read(Duration.ofSeconds(5)); f != null; f = stalled.read(Duration.ofSeconds(2))) {
      if (f.opcode() == 8) {
        closeCode = f.closeCode();
        break;
      }
      if (f.opcode() != 1) {
        continue;
      }
      JsonNode frame = f.json();
      if (frame.path("type").asText().equals("op")) {
        lastVersion = frame.path("version").asLong();
      } else if (frame.path("type").asText().equals("resync")) {
        resyncFrom = frame.path("from").asLong();
        break;
      }
    }
    stalled.close();
    assertThat(resyncFrom >= 0 || closeCode == 4008).as("resync or close 4008").isTrue();
    assertThat(lastVersion).isLessThan(ops);
    if (resyncFrom >= 0) {
      assertThat(resyncFrom).isEqualTo(lastVersion);
    }

    WsTestClient back = cluster.connect(0, "stalled");
    JsonNode joined = TestCluster.join(back, room, lastVersion);
    Set<Long> versions = new HashSet<>();
    for (long v = 1; v <= lastVersion; v++) {
      versions.add(v);
    }
    if (joined.has("ops")) {
      joined.path("ops").forEach(op -> versions.add(op.path("version").asLong()));
    } else {
      assertThat(joined.path("snapshot").path("version").asLong()).isEqualTo(ops);
      for (long v = lastVersion + 1; v <= ops; v++) {
        versions.add(v);
      }
    }
    assertThat(versions).hasSize(ops);
  }

  @Test
  @DisplayName("a peer that answers no pings is closed and removed from the room within the heartbeat timeout")
  void heartbeatTimeout() {
    cluster = TestCluster.start(1, b -> b.heartbeat(100, 500));
    String room = "hb-" + cluster.prefix;
    WsTestClient alice = cluster.connect(0, "alice");
    TestCluster.join(alice, room, null);
    RawWsClient silent = rawJoin(cluster.port(0), "silent", room, 0);
    alice.await(f -> f.path("type").asText().equals("members") && f.path("users").size() == 2, WAIT);

    JsonNode left = alice.await(f -> f.path("type").asText().equals("presence_left"), WAIT);
    assertThat(left.path("user").path("id").asText()).isEqualTo("guest-silent");
    assertThat(silent.closedByServer(WAIT)).isTrue();
    silent.close();
    assertThat(alice.isClosed()).as("a client that answers pings stays").isFalse();
    assertThat(cluster.gateways.get(0).sessions().size()).isEqualTo(1);
  }

  @Test
  @DisplayName("draining a gateway turns it not-ready, refuses new sockets, waits for in-flight ops, closes with "
      + "1001, and the client resumes on another gateway without losing an op")
  void drain() {
    cluster = TestCluster.start(2, b -> b.drainDeadlineMs(1_500).opTimeoutMs(10_000));
    String room = "drain-" + cluster.prefix;
    WsTestClient client = cluster.connect(1, "mover");
    TestCluster.join(client, room, null);
    TestCluster.sendOp(client, room, "d-0", TestCluster.createRect("s", 0, 0));
    assertThat(client.next("op", WAIT).path("version").asLong()).isEqualTo(1);

    cluster.stopSequencer();
    List<String> pending = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      TestCluster.sendOp(client, room, "d-" + i, TestCluster.move("s", i, i));
      pending.add("d-" + i);
    }
    int port = cluster.port(1);
    var stopped = cluster.stopGateway(1);
    var http = cluster.vertx.createHttpClient();
    int ready = cluster.block(http.request(HttpMethod.GET, port, "127.0.0.1", "/health/ready")
        .compose(req -> req.send()).map(resp -> resp.statusCode()));
    assertThat(ready).isEqualTo(503);
    assertThat(WsTestClient.rejectionStatus(cluster.vertx, port, "/v1/ws?guest=late", java.util.Map.of()))
        .isEqualTo(503);
    assertThat(client.awaitClose(WAIT)).isEqualTo(1001);
    cluster.block(stopped);

    cluster.startSequencer();
    WsTestClient resumed = cluster.connect(0, "mover");
    JsonNode joined = TestCluster.join(resumed, room, 1L);
    assertThat(joined.path("version").asLong()).isEqualTo(1);
    for (String id : pending) {
      TestCluster.sendOp(resumed, room, id, TestCluster.move("s", 1, 1));
    }
    for (int i = 2; i <= 11; i++) {
      assertThat(resumed.next("op", WAIT).path("version").asLong()).isEqualTo(i);
    }
    assertThat(cluster.opRows(room)).isEqualTo(11);
  }
}
