package io.flowstate.app;

import static io.flowstate.app.TestCluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.shared.canvas.CanvasLimits;
import io.flowstate.shared.canvas.CanvasState;
import io.flowstate.shared.canvas.Reducer;
import io.flowstate.shared.store.OpLog;
import io.flowstate.testkit.WsTestClient;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Concurrent writers across two gateways")
class ConcurrentOpsTest extends ClusterTest {
  private static final int CLIENTS = 20;
  private static final int OPS_PER_CLIENT = 50;
  private static final int TOTAL = CLIENTS * OPS_PER_CLIENT;

  @Test
  @DisplayName("20 clients on two gateways sending 50 ops each get versions 1..1000, every event once in order, "
      + "the rows in PostgreSQL and one hash everywhere")
  void twentyClientsConvergeOnOneGapFreeHistory() {
    cluster = TestCluster.start(2);
    String room = "concurrent-" + cluster.prefix;
    List<WsTestClient> clients = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      WsTestClient client = cluster.connect(c % 2, "writer" + c);
      JsonNode joined = TestCluster.join(client, room, null);
      assertThat(joined.path("version").asLong()).isZero();
      clients.add(client);
    }

    long started = System.nanoTime();
    for (int k = 0; k < OPS_PER_CLIENT / 2; k++) {
      for (int c = 0; c < CLIENTS; c++) {
        String shape = "s-" + c + "-" + k;
        // FIFO per connection: the move may be sent before the create's event arrives.
        TestCluster.sendOp(clients.get(c), room, "op-" + c + "-" + k + "-create", TestCluster.createRect(shape, c, k));
        TestCluster.sendOp(clients.get(c), room, "op-" + c + "-" + k + "-move", TestCluster.move(shape, k, c));
      }
    }

    Reducer reducer = new Reducer(CanvasLimits.defaults());
    List<String> hashes = new ArrayList<>();
    for (WsTestClient client : clients) {
      CanvasState state = CanvasState.empty();
      List<Long> versions = new ArrayList<>();
      while (versions.size() < TOTAL) {
        JsonNode frame = client.next(WAIT);
        assertThat(frame.path("type").asText()).as("frame %s", frame).isIn("op", "members");
        if (frame.path("type").asText().equals("op")) {
          versions.add(frame.path("version").asLong());
          reducer.applyInPlace(state, reducer.parse(frame.path("op")));
        }
      }
      assertThat(versions).containsExactlyElementsOf(LongStream.rangeClosed(1, TOTAL).boxed().toList());
      hashes.add(state.hash());
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf("ConcurrentOpsTest: %d ops committed and fanned out to %d clients in %.2f s (%.0f ops/s)%n",
        TOTAL, CLIENTS, seconds, TOTAL / seconds);

    List<Long> stored = new ArrayList<>();
    for (Row row : cluster.block(cluster.pool().preparedQuery("SELECT version FROM ops WHERE room = $1 ORDER BY version")
        .execute(Tuple.of(room)))) {
      stored.add(row.getLong("version"));
    }
    assertThat(stored).containsExactlyElementsOf(LongStream.rangeClosed(1, TOTAL).boxed().toList());

    String serverHash = cluster.block(new OpLog(cluster.vertx, cluster.pool()).stateAt(room, TOTAL, reducer))
        .state().hash();
    assertThat(hashes).hasSize(CLIENTS).allMatch(serverHash::equals);
    assertThat(clients.get(0).all()).noneMatch(f -> f.path("type").asText().equals("error"));
  }
}
