package io.flowstate.sequencer.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowstate.sequencer.store.OpStore.CommitRow;
import io.flowstate.sequencer.store.OpStore.Fence;
import io.flowstate.shared.protocol.Author;
import io.flowstate.shared.protocol.Json;
import io.flowstate.shared.protocol.OpEvent;
import io.flowstate.shared.store.Database;
import io.flowstate.shared.store.Migrations;
import io.flowstate.testkit.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Commits are fenced on the shard lease's epoch")
class FencingTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final Vertx vertx = Vertx.vertx();
  private final Pool pool = Database.pool(vertx, TestInfra.pgUrl(), 8);
  private final OpStore store = new OpStore(pool);

  @AfterEach
  void stop() {
    get(vertx.close());
  }

  private static <T> T get(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private void sql(String sql) {
    get(pool.query(sql).execute());
  }

  private static CommitRow row(String room, long version, String id) {
    var op = Json.object().put("kind", "delete_shape").put("id", "s");
    return new CommitRow(new OpEvent(room, version, id, new Author("u", "U"), op, Instant.now(), null, null),
        Json.write(op), Json.write(op));
  }

  @Test
  @DisplayName("after a takeover the former owner's commit writes nothing; of two racing owners exactly one commits")
  void staleEpochIsRefused() {
    get(Migrations.apply(vertx, pool));
    sql("INSERT INTO shard_leases (shard, owner, epoch, expires_at) VALUES (3, 'seq-a', 1, now() + interval '1 minute')"
        + " ON CONFLICT (shard) DO UPDATE SET owner = 'seq-a', epoch = 1, expires_at = now() + interval '1 minute'");
    get(store.commit(List.of(row("fence-room", 1, "a1")), new Fence("seq-a", Map.of(3, 1L))));

    sql("UPDATE shard_leases SET owner = 'seq-b', epoch = 2 WHERE shard = 3");
    Future<Void> late = store.commit(List.of(row("fence-room", 2, "a2")), new Fence("seq-a", Map.of(3, 1L)));
    Throwable refused = get(late.<Throwable>transform(ar -> Future.succeededFuture(ar.cause())));
    assertThat(refused).isInstanceOf(OpStore.LeaseLostException.class);

    // Both believe they own the shard and commit version 2 at once: the fence lets exactly one through.
    List<Future<Void>> race = new ArrayList<>();
    race.add(store.commit(List.of(row("fence-room", 2, "a-race")), new Fence("seq-a", Map.of(3, 1L))));
    race.add(store.commit(List.of(row("fence-room", 2, "b-race")), new Fence("seq-b", Map.of(3, 2L))));
    get(Future.join(race).otherwiseEmpty());
    assertThat(race.get(0).failed()).isTrue();
    assertThat(race.get(1).succeeded()).isTrue();
    var rows = get(pool.query("SELECT version, client_op_id FROM ops WHERE room = 'fence-room' ORDER BY version")
        .execute());
    List<String> ids = new ArrayList<>();
    rows.forEach(r -> ids.add(r.getLong(0) + ":" + r.getString(1)));
    assertThat(ids).containsExactly("1:a1", "2:b-race");

    // An expired lease fences too, even before anyone takes it over.
    sql("UPDATE shard_leases SET expires_at = now() - interval '1 second' WHERE shard = 3");
    Future<Void> expired = store.commit(List.of(row("fence-room", 3, "b3")), new Fence("seq-b", Map.of(3, 2L)));
    Throwable expiredCause = get(expired.<Throwable>transform(ar -> Future.succeededFuture(ar.cause())));
    assertThat(expiredCause)
        .isInstanceOf(OpStore.LeaseLostException.class);
  }
}
