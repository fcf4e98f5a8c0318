package io.flowstate.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.app.deploy.Topology.Account;
import io.flowstate.shared.protocol.Json;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * End-to-end scenarios through a running deployment's load balancer ({@code FLOWSTATE_URL}):
 * accounts over HTTP, WebSockets upgraded through the balancer, clients on different gateways.
 * Skipped (loudly) when no deployment is configured; run by the {@code local-cluster} profile.
 */
@DisplayName("A running deployment, through its load balancer")
class ThroughLoadBalancerIT {
  private Topology topology;

  @BeforeEach
  void deployment() {
    topology = Topology.fromEnv();
  }

  @Test
  @DisplayName("two clients on different gateways see each other's ops in version order")
  void opsBetweenTwoClients() {
    Account ada = topology.signUp("ada");
    Account bob = topology.signUp("bob");
    String room = topology.canvas(ada, bob);
    try (LbSocket a = topology.connect(ada); LbSocket b = topology.connectElsewhere(bob, a.gateway())) {
      a.send(Topology.join(room, null));
      b.send(Topology.join(room, null));
      assertThat(a.next("joined").path("version").asLong()).isZero();
      assertThat(b.next("joined").path("version").asLong()).isZero();

      a.send(Topology.op(room, "a-1", Topology.createRect("s1", 1, 2)));
      JsonNode seenByBob = b.next("op");
      assertThat(seenByBob.path("version").asLong()).isEqualTo(1);
      assertThat(seenByBob.path("author").path("id").asText()).isEqualTo(ada.id());
      b.send(Topology.op(room, "b-1", Topology.move("s1", 5, 5)));
      assertThat(a.next("op").path("version").asLong()).as("ada's own event").isEqualTo(1);
      assertThat(a.next("op").path("version").asLong()).as("bob's move").isEqualTo(2);
      assertThat(b.next("op").path("version").asLong()).isEqualTo(2);
      System.out.printf("ThroughLoadBalancerIT: ada on %s, bob on %s%n", a.gateway(), b.gateway());
    }
  }

  @Test
  @DisplayName("a client that reconnects through the balancer resumes with since and gets only the missed ops")
  void resumeWithSince() {
    Account ada = topology.signUp("ada");
    String room = topology.canvas(ada);
    long seen;
    try (LbSocket first = topology.connect(ada)) {
      first.send(Topology.join(room, null));
      first.next("joined");
      first.send(Topology.op(room, "r-1", Topology.createRect("s", 0, 0)));
      seen = first.next("op").path("version").asLong();
    }
    try (LbSocket writer = topology.connect(ada)) {
      writer.send(Topology.join(room, null));
      writer.next("joined");
      writer.send(Topology.op(room, "r-2", Topology.move("s", 1, 1)));
      writer.send(Topology.op(room, "r-3", Topology.move("s", 2, 2)));
      writer.next("op");
      assertThat(writer.next("op").path("version").asLong()).isEqualTo(3);
    }
    try (LbSocket again = topology.connect(ada)) {
      again.send(Topology.join(room, seen));
      JsonNode joined = again.next("joined");
      assertThat(joined.path("version").asLong()).isEqualTo(3);
      assertThat(joined.path("ops")).extracting(o -> o.path("id").asText()).containsExactly("r-2", "r-3");
      // A retry of an op committed before the reconnect is acknowledged with its first version.
      again.send(Topology.op(room, "r-2", Topology.move("s", 1, 1)));
      assertThat(again.next("ack").path("version").asLong()).isEqualTo(2);
    }
  }

  @Test
  @DisplayName("presence and members cross gateways through Redis")
  void presenceAcrossGateways() {
    Account ada = topology.signUp("ada");
    Account bob = topology.signUp("bob");
    String room = topology.canvas(ada, bob);
    try (LbSocket a = topology.connect(ada); LbSocket b = topology.connectElsewhere(bob, a.gateway())) {
      a.send(Topology.join(room, null));
      a.next("joined");
      b.send(Topology.join(room, null));
      b.next("joined");
      a.await(f -> f.path("type").asText().equals("members") && f.path("users").size() == 2, Topology.WAIT);
      var presence = Json.object().put("type", "presence").put("room", room);
      presence.set("state", Json.object().put("x", 42).put("y", 7));
      b.send(presence);
      JsonNode got = a.next("presence");
      assertThat(got.path("user").path("id").asText()).isEqualTo(bob.id());
      assertThat(got.path("state").path("x").asInt()).isEqualTo(42);
      b.close();
      JsonNode left = a.next("presence_left");
      assertThat(left.path("user").path("id").asText()).isEqualTo(bob.id());
    }
  }
}
