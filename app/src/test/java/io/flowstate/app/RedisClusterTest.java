package io.flowstate.app;

import static io.flowstate.app.TestCluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.embedded.EmbeddedRedisCluster;
import io.flowstate.shared.channel.Channels;
import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.shared.protocol.Json;
import io.flowstate.testkit.TestInfra;
import io.flowstate.testkit.WsTestClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The op path and presence with both services in Redis Cluster mode (sharded pub/sub) against a
 * private three-node embedded cluster: rooms whose channels live on different nodes, clients on
 * two gateways, every op committed once and seen by everyone in version order.
 */
@DisplayName("Redis Cluster mode end to end")
class RedisClusterTest extends ClusterTest {
  private static final int OPS_PER_ROOM = 12;
  private static EmbeddedRedisCluster redis;

  @BeforeAll
  static void startRedisCluster() {
    redis = TestInfra.privateRedisCluster();
  }

  @AfterAll
  static void stopRedisCluster() {
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  @DisplayName("ops in rooms on three different Redis nodes, sent through two gateways, are committed once "
      + "and reach every member in version order")
  void opPathAcrossNodes() {
    cluster = TestCluster.startOnRedisCluster(2, redis.url());
    List<String> rooms = roomsOnEachNode(new Channels(cluster.prefix));

    WsTestClient alice = cluster.connect(0, "alice");
    WsTestClient bob = cluster.connect(1, "bob");
    for (String room : rooms) {
      assertThat(TestCluster.join(alice, room, null).path("version").asLong()).isZero();
      assertThat(TestCluster.join(bob, room, null).path("version").asLong()).isZero();
    }

    for (int i = 0; i < OPS_PER_ROOM; i++) {
      for (String room : rooms) {
        WsTestClient author = i % 2 == 0 ? alice : bob;
        // Independent ops: the two gateways' submissions interleave in any order at the sequencer.
        JsonNode op = TestCluster.createRect("s" + i, i, i);
        TestCluster.sendOp(author, room, room + "-op" + i, op);
      }
    }

    List<Long> expected = LongStream.rangeClosed(1, OPS_PER_ROOM).boxed().toList();
    for (WsTestClient client : List.of(alice, bob)) {
      for (String room : rooms) {
        client.await(f -> isOp(f, room) && f.path("version").asLong() == OPS_PER_ROOM, WAIT);
        List<Long> versions = new ArrayList<>();
        client.all().stream().filter(f -> isOp(f, room)).forEach(f -> versions.add(f.path("version").asLong()));
        assertThat(versions).as("op events of %s at %s", room, client).containsExactlyElementsOf(expected);
      }
    }
    for (String room : rooms) {
      assertThat(cluster.opRows(room)).as("stored ops of %s", room).isEqualTo(OPS_PER_ROOM);
    }
    assertThat(alice.all()).noneMatch(f -> f.path("type").asText().equals("error"));
    assertThat(bob.all()).noneMatch(f -> f.path("type").asText().equals("error"));
  }

  @Test
  @DisplayName("members and presence cross gateways in rooms on different Redis nodes")
  void presenceAcrossGateways() {
    cluster = TestCluster.startOnRedisCluster(2, redis.url());
    List<String> rooms = roomsOnEachNode(new Channels(cluster.prefix));
    WsTestClient alice = cluster.connect(0, "alice");
    WsTestClient bob = cluster.connect(1, "bob");

    for (String room : rooms) {
      TestCluster.join(alice, room, null);
      JsonNode bobJoined = TestCluster.join(bob, room, null);
      assertThat(userIds(bobJoined.path("members"))).as("members of %s", room)
          .containsExactlyInAnyOrder("guest-alice", "guest-bob");
      alice.await(f -> f.path("type").asText().equals("members") && room.equals(f.path("room").asText())
          && f.path("users").size() == 2, WAIT);

      alice.send(Json.object().put("type", "presence").put("room", room)
          .set("state", Json.object().set("cursor", Json.object().put("x", 7).put("y", 8))));
      JsonNode seen = bob.await(f -> f.path("type").asText().equals("presence")
          && room.equals(f.path("room").asText()), WAIT);
      assertThat(seen.path("user").path("id").asText()).isEqualTo("guest-alice");
      assertThat(seen.path("state").path("cursor").path("x").asInt()).isEqualTo(7);
    }

    String last = rooms.get(2);
    bob.send(Json.object().put("type", "leave").put("room", last));
    bob.next("left", WAIT);
    JsonNode gone = alice.await(f -> f.path("type").asText().equals("presence_left")
        && last.equals(f.path("room").asText()), WAIT);
    assertThat(gone.path("user").path("id").asText()).isEqualTo("guest-bob");
  }

  @Test
  @DisplayName("FLOWSTATE_REDIS_MODE selects cluster mode for both services and defaults to standalone")
  void modeFromEnvironment() {
    var env = new io.flowstate.shared.config.Env(java.util.Map.of("FLOWSTATE_REDIS_MODE", "cluster",
        "FLOWSTATE_REDIS_URL", "redis://127.0.0.1:7000,redis://127.0.0.1:7001"));
    assertThat(GatewayConfig.fromEnv(env, false).redisMode())
        .isEqualTo(io.flowstate.shared.config.RedisMode.CLUSTER);
    assertThat(io.flowstate.shared.config.SequencerConfig.fromEnv(env).redisMode())
        .isEqualTo(io.flowstate.shared.config.RedisMode.CLUSTER);
    assertThat(GatewayConfig.fromEnv(env, false).toBuilder().build().redisMode())
        .isEqualTo(io.flowstate.shared.config.RedisMode.CLUSTER);
    assertThat(GatewayConfig.defaults().redisMode()).isEqualTo(io.flowstate.shared.config.RedisMode.STANDALONE);
    assertThat(io.flowstate.shared.config.SequencerConfig.defaults().redisMode())
        .isEqualTo(io.flowstate.shared.config.RedisMode.STANDALONE);
  }

  private static boolean isOp(JsonNode frame, String room) {
    return frame.path("type").asText().equals("op") && room.equals(frame.path("room").asText());
  }

  private static List<String> userIds(JsonNode users) {
    List<String> ids = new ArrayList<>();
    users.forEach(u -> ids.add(u.path("id").asText()));
    return ids;
  }

  /** Three rooms whose room (and live) channels are owned by nodes 0, 1 and 2, asserted by the cluster. */
  private static List<String> roomsOnEachNode(Channels channels) {
    List<String> rooms = new ArrayList<>();
    for (int node = 0; node < 3; node++) {
      for (int i = 0; ; i++) {
        String room = "cl-" + node + "-" + i;
        if (redis.nodeOf(channels.room(room)) == node) {
          assertThat(redis.nodeOf(channels.live(room))).isEqualTo(node);
          assertThat(redis.nodeOf(channels.membersKey(room))).isEqualTo(node);
          rooms.add(room);
          break;
        }
      }
    }
    Set<Integer> nodes = new HashSet<>();
    rooms.forEach(r -> nodes.add(redis.nodeOf(channels.room(r))));
    assertThat(nodes).containsExactlyInAnyOrder(0, 1, 2);
    return rooms;
  }
}
