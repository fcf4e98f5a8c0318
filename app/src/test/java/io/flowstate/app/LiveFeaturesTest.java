package io.flowstate.app;

import static io.flowstate.app.TestCluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.gateway.presence.ChatCommands;
import io.flowstate.shared.channel.Channels;
import io.flowstate.shared.protocol.Json;
import io.flowstate.testkit.WsTestClient;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Presence, members and chat across gateways")
class LiveFeaturesTest extends ClusterTest {
  private String room;

  private WsTestClient joined(int gateway, String guest) {
    WsTestClient client = cluster.connect(gateway, guest);
    TestCluster.join(client, room, null);
    return client;
  }

  private static List<String> userIds(JsonNode users) {
    List<String> ids = new ArrayList<>();
    users.forEach(u -> ids.add(u.path("id").asText()));
    return ids;
  }

  private static JsonNode membersWith(WsTestClient client, int count) {
    return client.await(f -> f.path("type").asText().equals("members") && f.path("users").size() == count, WAIT);
  }

  private void chat(WsTestClient client, String text, String rid) {
    client.send(Json.object().put("type", "chat").put("room", room).put("text", text).put("rid", rid));
  }

  @Test
  @DisplayName("presence crosses gateways coalesced to the latest state, never echoes to the sender, and "
      + "members and presence_left follow joins and leaves")
  void presenceAndMembers() {
    cluster = TestCluster.start(2);
    room = "live-" + cluster.prefix;
    WsTestClient alice = joined(0, "alice");
    WsTestClient bob = cluster.connect(1, "bob");
    JsonNode bobJoined = TestCluster.join(bob, room, null);
    assertThat(userIds(bobJoined.path("members"))).containsExactlyInAnyOrder("guest-alice", "guest-bob");
    assertThat(userIds(membersWith(alice, 2).path("users"))).containsExactlyInAnyOrder("guest-alice", "guest-bob");

    for (int i = 1; i <= 40; i++) {
      alice.send(Json.object().put("type", "presence").put("room", room)
          .set("state", Json.object().set("cursor", Json.object().put("x", i).put("y", -i))));
    }
    JsonNode last = bob.await(f -> f.path("type").asText().equals("presence")
        && f.path("state").path("cursor").path("x").asInt() == 40, WAIT);
    assertThat(last.path("user").path("id").asText()).isEqualTo("guest-alice");
    assertThat(last.path("user").path("name").asText()).isEqualTo("alice");
    long received = bob.all().stream().filter(f -> f.path("type").asText().equals("presence")).count();
    assertThat(received).as("presence updates are coalesced").isLessThan(40);
    assertThat(alice.all()).noneMatch(f -> f.path("type").asText().equals("presence"));

    bob.send(Json.object().put("type", "leave").put("room", room));
    bob.next("left", WAIT);
    JsonNode gone = alice.await(f -> f.path("type").asText().equals("presence_left"), WAIT);
    assertThat(gone.path("user").path("id").asText()).isEqualTo("guest-bob");
    assertThat(userIds(membersWith(alice, 1).path("users"))).containsExactly("guest-alice");
  }

  @Test
  @DisplayName("members of a gateway that died without cleanup disappear with presence_left within the TTL")
  void deadGatewayMembersExpire() {
    cluster = TestCluster.start(1, b -> b.presence(600, 50));
    room = "ghost-" + cluster.prefix;
    WsTestClient alice = joined(0, "alice");
    Channels channels = new Channels(cluster.prefix);
    Redis redis = Redis.createClient(cluster.vertx, cluster.redisUrl);
    // A member registered by a gateway whose liveness key no longer exists (it was killed).
    cluster.block(redis.send(Request.cmd(Command.HSET).arg(channels.membersKey(room)).arg("crashed-gw|s1")
        .arg("{\"id\":\"guest-ghost\",\"name\":\"ghost\",\"color\":\"#000\"}")));
    long started = System.nanoTime();
    JsonNode left = alice.await(f -> f.path("type").asText().equals("presence_left"), WAIT);
    long ms = (System.nanoTime() - started) / 1_000_000;
    assertThat(left.path("user").path("id").asText()).isEqualTo("guest-ghost");
    assertThat(ms).as("removed within the TTL plus one sweep").isLessThan(3_000);
    long remaining = cluster.block(redis.send(Request.cmd(Command.HLEN).arg(channels.membersKey(room)))).toLong();
    assertThat(remaining).isEqualTo(1);
    redis.close();
  }

  @Test
  @DisplayName("chat reaches every member with slash commands; /who answers the sender only; unknown commands "
      + "and floods are refused")
  void chatAndCommands() {
    cluster = TestCluster.start(2, b -> b.chatRate(new io.flowstate.shared.config.GatewayConfig.Rate(0.1, 4)));
    room = "chat-" + cluster.prefix;
    WsTestClient alice = joined(0, "alice");
    WsTestClient bob = joined(1, "bob");
    membersWith(alice, 2);

    chat(alice, "hello", "c1");
    JsonNode hello = bob.next("chat", WAIT);
    assertThat(hello.path("text").asText()).isEqualTo("hello");
    assertThat(hello.path("action").asBoolean()).isFalse();
    assertThat(hello.path("user").path("id").asText()).isEqualTo("guest-alice");
    assertThat(hello.path("at").asText()).endsWith("Z");
    assertThat(alice.next("chat", WAIT).path("text").asText()).isEqualTo("hello");

    chat(alice, "/shrug oh well", "c2");
    assertThat(bob.next("chat", WAIT).path("text").asText()).isEqualTo("oh well " + ChatCommands.SHRUG);
    chat(bob, "/me waves", "c3");
    JsonNode wave = alice.await(f -> f.path("type").asText().equals("chat") && f.path("action").asBoolean(), WAIT);
    assertThat(wave.path("text").asText()).isEqualTo("waves");

    chat(bob, "/who", "c4");
    JsonNode who = bob.await(f -> f.path("type").asText().equals("members") && "c4".equals(f.path("rid").asText()),
        WAIT);
    assertThat(userIds(who.path("users"))).containsExactlyInAnyOrder("guest-alice", "guest-bob");

    chat(alice, "/dance", "c5");
    JsonNode unknown = alice.next("error", WAIT);
    assertThat(alice.all()).noneMatch(f -> "c4".equals(f.path("rid").asText()));
    assertThat(unknown.path("code").asText()).isEqualTo("unknown_command");
    assertThat(unknown.path("rid").asText()).isEqualTo("c5");

    chat(alice, "x".repeat(2001), "c6");
    assertThat(alice.next("error", WAIT).path("code").asText()).isEqualTo("too_large");
    // hello and /shrug took two of the four tokens; /who, errors and oversize lines take none.
    chat(alice, "one", "c7");
    chat(alice, "two", "c8");
    chat(alice, "three", "c9");
    JsonNode limited = alice.next("error", WAIT);
    assertThat(limited.path("rid").asText()).isEqualTo("c9");
    assertThat(limited.path("code").asText()).isEqualTo("rate_limited");
  }

  @Test
  @DisplayName("ops and presence beyond their per-connection rates get rate_limited; oversize presence is too_large")
  void rateLimits() {
    cluster = TestCluster.start(1, b -> b.opsRate(new io.flowstate.shared.config.GatewayConfig.Rate(1, 5))
        .presenceRate(new io.flowstate.shared.config.GatewayConfig.Rate(1, 3)).maxPresenceBytes(100));
    room = "rates-" + cluster.prefix;
    WsTestClient alice = joined(0, "alice");
    for (int i = 0; i < 8; i++) {
      TestCluster.sendOp(alice, room, "op-" + i, TestCluster.createRect("s" + i, i, i));
    }
    List<String> outcomes = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      JsonNode f = alice.await(x -> ("r-op-" + outcomes.size()).equals(x.path("rid").asText())
          || (x.path("type").asText().equals("op") && ("op-" + outcomes.size()).equals(x.path("id").asText())), WAIT);
      outcomes.add(f.path("type").asText().equals("op") ? "committed" : f.path("code").asText());
    }
    assertThat(outcomes.subList(0, 5)).containsOnly("committed");
    assertThat(outcomes.subList(5, 8)).containsOnly("rate_limited");

    for (int i = 0; i < 4; i++) {
      alice.send(Json.object().put("type", "presence").put("room", room).put("rid", "p" + i)
          .set("state", Json.object().put("x", i)));
    }
    assertThat(alice.await(f -> "p3".equals(f.path("rid").asText()), WAIT).path("code").asText())
        .isEqualTo("rate_limited");
    WsTestClient bob = joined(0, "bob");
    bob.send(Json.object().put("type", "presence").put("room", room).put("rid", "big")
        .set("state", Json.object().put("note", "z".repeat(200))));
    assertThat(bob.next("error", WAIT).path("code").asText()).isEqualTo("too_large");
  }

  @Test
  @DisplayName("connections beyond the per-user and per-address limits are closed with 4029; X-Forwarded-For "
      + "counts only behind a trusted proxy")
  void connectionLimits() {
    cluster = TestCluster.start(1, b -> b.maxConnections(2, 3).trustedProxies(List.of("127.0.0.1")));
    int port = cluster.port(0);
    WsTestClient a1 = WsTestClient.connect(cluster.vertx, port, "/v1/ws?guest=same", java.util.Map.of());
    WsTestClient a2 = WsTestClient.connect(cluster.vertx, port, "/v1/ws?guest=same", java.util.Map.of());
    WsTestClient a3 = WsTestClient.connect(cluster.vertx, port, "/v1/ws?guest=same", java.util.Map.of());
    assertThat(a3.awaitClose(WAIT)).isEqualTo(4029);
    assertThat(a1.isClosed()).isFalse();

    var first = java.util.Map.of("X-Forwarded-For", "203.0.113.7");
    List<WsTestClient> fromOne = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      fromOne.add(WsTestClient.connect(cluster.vertx, port, "/v1/ws?guest=ip" + i, first));
    }
    WsTestClient fourth = WsTestClient.connect(cluster.vertx, port, "/v1/ws?guest=ip4", first);
    assertThat(fourth.awaitClose(WAIT)).isEqualTo(4029);
    WsTestClient other = WsTestClient.connect(cluster.vertx, port, "/v1/ws?guest=ip5",
        java.util.Map.of("X-Forwarded-For", "198.51.100.1"));
    assertThat(other.next(WAIT).path("type").asText()).isEqualTo("welcome");
    for (WsTestClient c : List.of(a1, a2, other)) {
      c.close();
    }
    fromOne.forEach(WsTestClient::close);
  }
}
