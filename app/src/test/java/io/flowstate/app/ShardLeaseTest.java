package io.flowstate.app;

import static io.flowstate.app.TestCluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.sequencer.SequencerVerticle;
import io.flowstate.shared.channel.Channels;
import io.flowstate.shared.config.SequencerConfig;
import io.flowstate.testkit.WsTestClient;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Many sequencers share the shards by leases, fenced in PostgreSQL")
class ShardLeaseTest {
  private static final int SHARDS = 8;
  private static final long TTL_MS = 1_500;
  private static final long RENEW_MS = 300;

  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private void start() {
    cluster = TestCluster.start(1, g -> g.shardCount(SHARDS).opTimeoutMs(2_000),
        s -> s.shardCount(SHARDS).leases(TTL_MS, RENEW_MS).sequencerId("seq-a"));
  }

  private SequencerVerticle second(String id) {
    SequencerConfig config = cluster.sequencerConfig().toBuilder().sequencerId(id).build();
    SequencerVerticle verticle = new SequencerVerticle(config);
    cluster.block(cluster.vertx.deployVerticle(verticle));
    return verticle;
  }

  private void awaitOwned(SequencerVerticle s, int count) {
    try {
      awaitOwnedOnce(s, count);
    } catch (AssertionError e) {
      var rows = cluster.block(cluster.pool().query("SELECT shard, owner, epoch, expires_at, now() AS now FROM"
          + " shard_leases ORDER BY shard").execute());
      StringBuilder table = new StringBuilder();
      rows.forEach(r -> table.append(r.toJson()).append('\n'));
      cluster.block(cluster.pool().query("SELECT id, seen_at, now() AS now FROM sequencers").execute())
          .forEach(r -> table.append(r.toJson()).append('\n'));
      throw new AssertionError(s.leases().holder() + " believes it owns " + s.leases().owned()
          + "; leases and sequencers now:\n" + table, e);
    }
  }

  private void awaitOwnedOnce(SequencerVerticle s, int count) {
    io.flowstate.testkit.Await.until(cluster.vertx, () -> s.leases().owned().size() == count, WAIT,
        s.leases().holder() + " owns " + count + " shards");
  }

  /** One room per shard, so that every shard (and so every owner) is exercised. */
  private List<String> roomPerShard() {
    List<String> rooms = new ArrayList<>();
    Set<Integer> covered = new HashSet<>();
    for (int i = 0; covered.size() < SHARDS; i++) {
      String room = "lease-" + cluster.prefix + "-" + i;
      if (covered.add(Channels.shardOf(room, SHARDS))) {
        rooms.add(room);
      }
    }
    return rooms;
  }

  /** Submits one op per room and waits for each to be acknowledged, retrying on `unavailable`. */
  private void writeAll(WsTestClient client, List<String> rooms, String tag) {
    for (String room : rooms) {
      String id = tag + "-" + room;
      for (int attempt = 0; ; attempt++) {
        String rid = id + "#" + attempt;
        client.send(io.flowstate.shared.protocol.Json.object().put("type", "op").put("room", room).put("id", id)
            .put("rid", rid).set("op", TestCluster.createRect(id, 1, 1)));
        JsonNode reply = client.await(f -> (id.equals(f.path("id").asText())
            && ("op".equals(f.path("type").asText()) || "ack".equals(f.path("type").asText())))
            || ("error".equals(f.path("type").asText()) && rid.equals(f.path("rid").asText())), WAIT);
        if (!"error".equals(reply.path("type").asText())) {
          break;
        }
        assertThat(reply.path("code").asText()).as("only `unavailable` may happen during a handover")
            .isEqualTo("unavailable");
        assertThat(attempt).as("retries of " + id).isLessThan(20);
      }
    }
  }

  private void assertExactlyOnceAndGapFree(List<String> rooms, int opsPerRoom) {
    for (String room : rooms) {
      var row = cluster.block(cluster.pool().preparedQuery("SELECT count(*) AS n, count(DISTINCT client_op_id) AS ids,"
          + " min(version) AS lo, max(version) AS hi FROM ops WHERE room = $1").execute(io.vertx.sqlclient.Tuple.of(room)))
          .iterator().next();
      assertThat(row.getLong("n")).as("ops of " + room).isEqualTo(opsPerRoom);
      assertThat(row.getLong("ids")).isEqualTo(opsPerRoom);
      assertThat(row.getLong("lo")).isEqualTo(1);
      assertThat(row.getLong("hi")).isEqualTo(opsPerRoom);
    }
  }

  @Test
  @DisplayName("two sequencers balance the shards and every op commits once, whichever owns its room")
  void balance() {
    start();
    SequencerVerticle a = cluster.sequencer();
    awaitOwned(a, SHARDS);
    SequencerVerticle b = second("seq-b");
    awaitOwned(a, SHARDS / 2);
    awaitOwned(b, SHARDS / 2);
    assertThat(new HashSet<>(a.leases().owned())).doesNotContainAnyElementsOf(b.leases().owned());
    WsTestClient client = cluster.connect(0, "writer");
    List<String> rooms = roomPerShard();
    rooms.forEach(r -> TestCluster.join(client, r, null));
    writeAll(client, rooms, "x");
    assertExactlyOnceAndGapFree(rooms, 1);
    assertThat(a.sequencer().committedOps()).isPositive();
    assertThat(b.sequencer().committedOps()).isPositive();
  }

  @Test
  @DisplayName("a paused owner's late commit is refused by the fence; the new owner commits each op once")
  void pausedOwnerIsFenced() {
    start();
    SequencerVerticle a = cluster.sequencer();
    awaitOwned(a, SHARDS);
    WsTestClient client = cluster.connect(0, "writer");
    List<String> rooms = roomPerShard();
    rooms.forEach(r -> TestCluster.join(client, r, null));
    writeAll(client, rooms, "before");

    // A stops renewing (paused) but still believes it owns everything and keeps consuming.
    a.leases().pauseRenewals();
    SequencerVerticle b = second("seq-b");
    awaitOwned(b, SHARDS);
    writeAll(client, rooms, "after");
    assertExactlyOnceAndGapFree(rooms, 2);
    assertThat(b.sequencer().committedOps()).as("the new owner committed").isPositive();
    // The paused owner still consumed the submissions and tried to commit them: refused every time.
    assertThat(a.sequencer().fencedCommits()).as("commits refused by the fence").isPositive();
    System.out.printf("paused owner: %d commits fenced, %d ops committed by the new owner%n",
        a.sequencer().fencedCommits(), b.sequencer().committedOps());
  }

  @Test
  @DisplayName("after a crash (leases abandoned, not released) another sequencer takes over within the lease "
      + "time plus a margin; after a graceful stop, within one renewal period")
  void takeover() {
    start();
    SequencerVerticle a = cluster.sequencer();
    awaitOwned(a, SHARDS);
    SequencerVerticle b = second("seq-b");
    awaitOwned(b, SHARDS / 2);
    SequencerVerticle c = second("seq-c");
    awaitOwned(a, 3);

    long t0 = System.nanoTime();
    b.leases().abandon();
    cluster.awaitTrue("the crashed sequencer's shards are owned again", () -> Future.succeededFuture(
        a.leases().owned().size() + c.leases().owned().size() == SHARDS));
    long crashMs = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("takeover after a crash: %d ms (lease %d ms, renewal %d ms)%n", crashMs, TTL_MS, RENEW_MS);
    assertThat(crashMs).isLessThan(TTL_MS + 2 * RENEW_MS + 1_500);

    t0 = System.nanoTime();
    cluster.stopSequencer();
    awaitOwned(c, SHARDS);
    long stopMs = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("takeover after a graceful stop: %d ms%n", stopMs);
    assertThat(stopMs).isLessThan(TTL_MS);

    WsTestClient client = cluster.connect(0, "writer");
    List<String> rooms = roomPerShard();
    rooms.forEach(r -> TestCluster.join(client, r, null));
    writeAll(client, rooms, "x");
    assertExactlyOnceAndGapFree(rooms, 1);
  }
}
