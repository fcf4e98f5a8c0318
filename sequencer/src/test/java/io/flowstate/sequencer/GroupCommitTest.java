package io.flowstate.sequencer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.shared.channel.Channels;
import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.shared.config.SequencerConfig;
import io.flowstate.shared.protocol.Author;
import io.flowstate.shared.protocol.Json;
import io.flowstate.shared.protocol.Submission;
import io.flowstate.shared.redis.RedisPublisher;
import io.flowstate.shared.redis.RedisSubscriber;
import io.flowstate.shared.store.Database;
import io.flowstate.testkit.Await;
import io.flowstate.testkit.TestInfra;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The sequencer's group commit")
class GroupCommitTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final Vertx vertx = Vertx.vertx();
  private final String prefix = "gc" + UUID.randomUUID().toString().substring(0, 8);
  private final Channels channels = new Channels(prefix);
  private final String pgUrl = TestInfra.pgUrl();
  private SequencerVerticle sequencer;
  private RedisPublisher publisher;
  private RedisSubscriber subscriber;

  @BeforeEach
  void start() throws Exception {
    sequencer = new SequencerVerticle(SequencerConfig.builder().guestAccess(true).build().withStores(TestInfra.redisUrl(), pgUrl)
        .withRedisPrefix(prefix));
    vertx.deployVerticle(sequencer).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    publisher = new RedisPublisher(vertx, TestInfra.redisUrl(), "test");
    subscriber = new RedisSubscriber(vertx, TestInfra.redisUrl(), "test");
    publisher.start().compose(v -> subscriber.start()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("ops arriving together for many rooms are written in far fewer round trips than ops, "
      + "each room gap-free, and published only after they are in PostgreSQL")
  void groupsAcrossRooms() throws Exception {
    int rooms = 20;
    int perRoom = 10;
    Map<String, List<Long>> seen = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<String> notDurable = new ConcurrentLinkedQueue<>();
    java.util.concurrent.atomic.AtomicInteger checked = new java.util.concurrent.atomic.AtomicInteger();
    Pool pool = Database.pool(vertx, pgUrl, 2);
    subscriber.messageHandler((channel, payload) -> {
      JsonNode event = Json.parse(payload);
      String room = event.path("room").asText();
      long version = event.path("version").asLong();
      seen.computeIfAbsent(room, r -> java.util.Collections.synchronizedList(new ArrayList<>())).add(version);
      pool.preparedQuery("SELECT 1 FROM ops WHERE room = $1 AND version = $2")
          .execute(io.vertx.sqlclient.Tuple.of(room, version))
          .onSuccess(rows -> {
            if (rows.size() != 1) {
              notDurable.add(room + "@" + version);
            }
            checked.incrementAndGet();
          });
    });
    List<Map.Entry<String, String>> messages = new ArrayList<>();
    for (int r = 0; r < rooms; r++) {
      String room = prefix + "-room-" + r;
      subscriber.subscribe(channels.room(room)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      for (int i = 0; i < perRoom; i++) {
        var op = Json.object().put("kind", "create_shape");
        op.putObject("shape").put("id", "s" + i).put("type", "rect").put("x", i).put("y", i);
        Submission s = new Submission(Submission.OP, "gw-test", "conn", room, new Author("u" + r, "U"),
            "op-" + i, null, op);
        messages.add(Map.entry(channels.shard(Channels.shardOf(room, GatewayConfig.DEFAULT_SHARD_COUNT)), s.encode()));
      }
    }
    publisher.publishAll(messages).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    Await.until(vertx, () -> seen.values().stream().mapToInt(List::size).sum() == rooms * perRoom, WAIT,
        "all events published");
    long commits = sequencer.sequencer().commits();
    System.out.printf("GroupCommitTest: %d ops in %d rooms committed in %d round trips%n",
        rooms * perRoom, rooms, commits);
    assertThat(sequencer.sequencer().committedOps()).isEqualTo(rooms * perRoom);
    assertThat(commits).isLessThan(rooms * perRoom / 4);
    for (List<Long> versions : seen.values()) {
      assertThat(versions).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    }
    Await.until(vertx, () -> checked.get() == rooms * perRoom, WAIT, "durability checks ran");
    assertThat(notDurable).isEmpty();
    long heads = 0;
    for (Row row : pool.query("SELECT sum(head) AS s FROM rooms").execute().toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS)) {
      heads = row.getLong("s");
    }
    assertThat(heads).isEqualTo(rooms * perRoom);
  }
}
