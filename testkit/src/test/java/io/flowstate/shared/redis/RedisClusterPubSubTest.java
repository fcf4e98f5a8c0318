package io.flowstate.shared.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowstate.embedded.EmbeddedRedisCluster;
import io.flowstate.shared.channel.Channels;
import io.flowstate.shared.config.RedisMode;
import io.flowstate.testkit.Await;
import io.flowstate.testkit.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link RedisPublisher} and {@link RedisSubscriber} in cluster mode against a real three-node
 * Redis Cluster: sharded pub/sub on channels owned by different nodes, per-channel order, pipelined
 * batches that span slots, unsubscribe, and re-subscription after a node restart. (It lives in the
 * testkit module because the shared module cannot depend on the embedded servers.)
 */
class RedisClusterPubSubTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static EmbeddedRedisCluster cluster;

  private Vertx vertx;
  private RedisPublisher publisher;
  private RedisSubscriber subscriber;
  private final Map<String, List<String>> received = new ConcurrentHashMap<>();
  private final AtomicInteger reconnects = new AtomicInteger();
  private final Channels channels = new Channels("t" + UUID.randomUUID().toString().substring(0, 8));

  @BeforeAll
  static void startCluster() {
    cluster = TestInfra.privateRedisCluster();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void connect() {
    vertx = Vertx.vertx();
    publisher = new RedisPublisher(vertx, RedisMode.CLUSTER, cluster.url(), "test");
    subscriber = new RedisSubscriber(vertx, RedisMode.CLUSTER, cluster.seedUrls().get(1), "test")
        .messageHandler((channel, payload) -> received.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>())
            .add(payload))
        .reconnectHandler(reconnects::incrementAndGet);
    block(publisher.start());
    block(subscriber.start());
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("room channels on three different nodes each get their messages, in publish order")
  void shardedPubSubAcrossNodes() {
    List<String> rooms = roomsOnEachNode();
    Set<Integer> nodes = new java.util.HashSet<>();
    rooms.forEach(r -> nodes.add(cluster.nodeOf(channels.room(r))));
    assertThat(nodes).containsExactlyInAnyOrder(0, 1, 2);

    for (String room : rooms) {
      block(subscriber.subscribe(channels.room(room)));
    }
    rooms.forEach(r -> awaitSubscribed(channels.room(r)));

    // Interleaved across channels: single publishes and one pipelined batch that spans three slots.
    List<Map.Entry<String, String>> batch = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      for (String room : rooms) {
        if (i < 50) {
          publisher.publish(channels.room(room), "m" + i);
        } else {
          batch.add(Map.entry(channels.room(room), "m" + i));
        }
      }
    }
    block(publisher.publishAll(batch));

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      expected.add("m" + i);
    }
    for (String room : rooms) {
      Await.until(vertx, () -> messages(channels.room(room)).size() >= 100, WAIT, "100 messages on " + room);
      assertThat(messages(channels.room(room))).as("messages on %s", room).containsExactlyElementsOf(expected);
    }
  }

  @Test
  @DisplayName("after unsubscribe a channel gets nothing while another channel on the same node still does")
  void unsubscribe() {
    String first = channels.room(roomOnNode(2, "a"));
    String second = channels.room(roomOnNode(2, "b"));
    block(subscriber.subscribe(first));
    block(subscriber.subscribe(second));
    awaitSubscribed(first);
    awaitSubscribed(second);

    block(subscriber.unsubscribe(first));
    // Same node, same publishing connection: once the marker on the second channel arrived, a message
    // published before it on the first channel would have arrived too, had it still been subscribed.
    Await.until(vertx, () -> {
      block(publisher.publishAll(List.of(Map.entry(first, "late"), Map.entry(second, "marker"))));
      return messages(second).contains("marker");
    }, WAIT, "the marker arrives");
    assertThat(messages(first)).doesNotContain("late");
  }

  @Test
  @DisplayName("the members registry works across slots: send routes by key, batch spans nodes")
  void commandsRouteByKey() {
    List<String> rooms = roomsOnEachNode();
    for (String room : rooms) {
      block(publisher.send(Request.cmd(Command.HSET).arg(channels.membersKey(room)).arg("f").arg(room)));
    }
    List<Request> reads = new ArrayList<>();
    rooms.forEach(r -> reads.add(Request.cmd(Command.HGET).arg(channels.membersKey(r)).arg("f")));
    List<String> values = new ArrayList<>();
    block(publisher.batch(reads)).forEach(r -> values.add(r.toString()));
    assertThat(values).containsExactlyElementsOf(rooms);
  }

  @Test
  @DisplayName("after a node restarts, the subscriber re-subscribes every channel, then calls the reconnect handler")
  void resubscribesAfterNodeRestart() {
    List<String> rooms = roomsOnEachNode();
    for (String room : rooms) {
      block(subscriber.subscribe(channels.room(room)));
    }
    rooms.forEach(r -> awaitSubscribed(channels.room(r)));
    int restarted = cluster.nodeOf(channels.room(rooms.get(0)));

    cluster.restartNode(restarted);

    Await.until(vertx, () -> reconnects.get() >= 1 && subscriber.connected(), WAIT, "the subscriber reconnected");
    rooms.forEach(r -> received.remove(channels.room(r)));
    // Every channel, including those of the restarted node, is subscribed again.
    rooms.forEach(r -> awaitSubscribed(channels.room(r)));
    assertThat(reconnects.get()).isGreaterThanOrEqualTo(1);
  }

  /** Publishes probes until one arrives: the subscription is active on the owning node. */
  private void awaitSubscribed(String channel) {
    Await.until(vertx, () -> {
      publisher.publish(channel, "probe");
      return received.getOrDefault(channel, List.of()).contains("probe");
    }, WAIT, "a probe arrives on " + channel);
  }

  /** What arrived on a channel, without the probes. */
  private List<String> messages(String channel) {
    return received.getOrDefault(channel, List.of()).stream().filter(m -> !m.equals("probe")).toList();
  }

  private List<String> roomsOnEachNode() {
    return List.of(roomOnNode(0, "x"), roomOnNode(1, "x"), roomOnNode(2, "x"));
  }

  private String roomOnNode(int node, String tag) {
    for (int i = 0; ; i++) {
      String room = "room-" + tag + "-" + i;
      if (cluster.nodeOf(channels.room(room)) == node) {
        return room;
      }
    }
  }

  private static <T> T block(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("did not complete: " + e, e);
    }
  }
}
