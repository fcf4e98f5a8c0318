package io.flowstate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.embedded.EmbeddedPostgresServer;
import io.flowstate.embedded.EmbeddedRedisServer;
import io.flowstate.shared.protocol.Json;
import io.flowstate.shared.store.Database;
import io.flowstate.testkit.Await;
import io.flowstate.testkit.TestInfra;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The chaos suite: the built jar as 2 gateways and 2 sequencers, with Redis and PostgreSQL that the
 * test starts itself, under a load of well-behaved clients (retry with the same id, reconnect and
 * resume). During the load it kills -9 a sequencer, kills -9 a gateway, restarts Redis and
 * restarts PostgreSQL, then checks invariants 1, 3, 4, 5 and 6 against what clients saw.
 */
@DisplayName("Chaos: kill -9 a sequencer and a gateway, restart Redis and PostgreSQL, under load")
class ChaosIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int CLIENTS = 24;
  private static final int ROOMS = 8;

  private final Vertx vertx = Vertx.vertx();
  private final JarProcesses processes = new JarProcesses(vertx);
  private final List<ChaosClient> clients = new ArrayList<>();
  private Context context;
  private EmbeddedRedisServer redis;
  private EmbeddedPostgresServer pg;
  private Path pgDir;

  @AfterEach
  void stop() throws Exception {
    if (context != null) {
      onClients(() -> {
        clients.forEach(ChaosClient::close);
        return null;
      });
    }
    processes.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    if (redis != null) {
      redis.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  /** Runs on the clients' context (they are single-threaded) and returns the result to the test. */
  private <T> T onClients(Callable<T> work) throws Exception {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> {
      try {
        result.complete(work.call());
      } catch (Exception e) {
        result.fail(e);
      }
    });
    return result.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private void pause(long millis) {
    long until = System.nanoTime() + millis * 1_000_000;
    Await.until(vertx, () -> System.nanoTime() >= until, Duration.ofMillis(millis + 5_000), "time passes");
  }

  @Test
  @DisplayName("every acknowledged op is in PostgreSQL exactly once, versions have no gap, clients saw every "
      + "version once in order and converge to the server's hash")
  void chaos() throws Exception {
    redis = TestInfra.privateRedis();
    pgDir = Files.createTempDirectory("flowstate-chaos-pg");
    int pgPort = JarProcesses.freePort();
    pg = EmbeddedPostgresServer.start(pgDir, pgPort);
    pg.createDatabase("flowstate");
    String pgUrl = pg.url("flowstate");
    Map<String, String> common = new HashMap<>(Map.of(
        "FLOWSTATE_REDIS_URL", redis.url(),
        "FLOWSTATE_PG_URL", pgUrl,
        "FLOWSTATE_HTTP_HOST", "127.0.0.1",
        "FLOWSTATE_GUEST_ACCESS", "true",
        "FLOWSTATE_SHARDS", "16",
        "FLOWSTATE_LEASE_TTL_MS", "2000",
        "FLOWSTATE_LEASE_RENEW_MS", "400",
        "FLOWSTATE_OP_TIMEOUT_MS", "2000",
        "FLOWSTATE_LOG_LEVEL", "INFO"));
    int[] seqPorts = {JarProcesses.freePort(), JarProcesses.freePort()};
    int[] gwPorts = {JarProcesses.freePort(), JarProcesses.freePort()};
    List<Process> sequencers = new ArrayList<>();
    List<Process> gateways = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Map<String, String> env = new HashMap<>(common);
      env.put("FLOWSTATE_SEQUENCER_ID", "seq-" + i);
      env.put("FLOWSTATE_SEQUENCER_HTTP_PORT", Integer.toString(seqPorts[i]));
      sequencers.add(processes.start("sequencer", "chaos-seq-" + i, env));
    }
    for (int i = 0; i < 2; i++) {
      Map<String, String> env = new HashMap<>(common);
      env.put("FLOWSTATE_GATEWAY_ID", "gw-" + i);
      env.put("FLOWSTATE_HTTP_PORT", Integer.toString(gwPorts[i]));
      gateways.add(processes.start("gateway", "chaos-gw-" + i, env));
    }
    for (int port : seqPorts) {
      processes.awaitReady(port, WAIT);
    }
    for (int port : gwPorts) {
      processes.awaitReady(port, WAIT);
    }

    List<String> rooms = new ArrayList<>();
    for (int r = 0; r < ROOMS; r++) {
      rooms.add("chaos-" + r);
    }
    context = vertx.getOrCreateContext();
    onClients(() -> {
      for (int c = 0; c < CLIENTS; c++) {
        ChaosClient client = new ChaosClient(vertx, "c" + c, List.of(gwPorts[0], gwPorts[1]),
            List.of(rooms.get(c % ROOMS), rooms.get((c + 3) % ROOMS)), c);
        clients.add(client);
        client.start();
      }
      return null;
    });

    long start = System.nanoTime();
    List<String> faults = new ArrayList<>();
    List<Long> faultAt = new ArrayList<>();
    pause(4_000);
    faultAt.add(System.nanoTime());
    faults.add("kill -9 sequencer seq-0");
    JarProcesses.kill(sequencers.get(0));
    pause(5_000);
    faultAt.add(System.nanoTime());
    faults.add("kill -9 gateway gw-1");
    JarProcesses.kill(gateways.get(1));
    pause(5_000);
    faultAt.add(System.nanoTime());
    faults.add("restart Redis");
    redis.restart();
    pause(5_000);
    faultAt.add(System.nanoTime());
    faults.add("restart PostgreSQL");
    pg.close();
    pg = EmbeddedPostgresServer.start(pgDir, pgPort);
    pause(6_000);
    onClients(() -> {
      clients.forEach(ChaosClient::stopWriting);
      return null;
    });
    Await.until(vertx, () -> call(() -> clients.stream().allMatch(ChaosClient::settled)), WAIT,
        "every client's last op is acknowledged and it is joined again");
    long loadMs = (System.nanoTime() - start) / 1_000_000;

    // What PostgreSQL holds.
    Pool pool = Database.pool(vertx, pgUrl, 2);
    Map<String, Long> stored = new HashMap<>();
    Map<String, Long> storedCount = new HashMap<>();
    for (Row row : pool.query("SELECT room, client_op_id, min(version) AS v, count(*) AS n FROM ops"
        + " GROUP BY room, client_op_id").execute().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS)) {
      stored.put(row.getString("room") + "|" + row.getString("client_op_id"), row.getLong("v"));
      storedCount.put(row.getString("room") + "|" + row.getString("client_op_id"), row.getLong("n"));
    }
    Map<String, Long> heads = new HashMap<>();
    for (Row row : pool.query("SELECT room, count(*) AS n, min(version) AS lo, max(version) AS hi FROM ops"
        + " GROUP BY room").execute().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS)) {
      assertThat(row.getLong("lo")).as("first version of " + row.getString("room")).isEqualTo(1);
      assertThat(row.getLong("hi")).as("versions of " + row.getString("room") + " have no gap")
          .isEqualTo(row.getLong("n"));
      heads.put(row.getString("room"), row.getLong("hi"));
    }

    // What clients saw.
    long acked = 0;
    long retries = 0;
    long duplicates = 0;
    long reconnects = 0;
    List<String> violations = new ArrayList<>();
    for (ChaosClient c : clients) {
      Map<String, Long> cAcked = call(() -> new HashMap<>(c.acked));
      for (var e : cAcked.entrySet()) {
        assertThat(stored.get(e.getKey())).as("acknowledged op " + e.getKey() + " is stored at its version")
            .isEqualTo(e.getValue());
        assertThat(storedCount.get(e.getKey())).as("stored once: " + e.getKey()).isEqualTo(1);
      }
      acked += cAcked.size();
      retries += call(() -> c.retries);
      duplicates += call(() -> c.duplicateAcks);
      reconnects += call(() -> c.reconnects);
      violations.addAll(call(() -> new ArrayList<>(c.violations)));
    }
    assertThat(violations).as("versions seen twice or out of order, unexpected errors").isEmpty();

    // Convergence: every client reaches the head and has the server's hash.
    for (String room : rooms) {
      long head = heads.getOrDefault(room, 0L);
      JsonNode state = Json.parse(processes.get(gwPorts[0], "/v1/rooms/" + room + "/state"));
      assertThat(state.path("version").asLong()).isEqualTo(head);
      for (ChaosClient c : clients) {
        Await.until(vertx, () -> call(() -> !c.hasRoom(room) || c.version(room) == head), WAIT,
            "client reaches the head of " + room);
        if (call(() -> c.hasRoom(room))) {
          assertThat(call(() -> c.hash(room))).as("hash of " + room + " at a client").isEqualTo(state.path("hash")
              .asText());
        }
      }
    }

    System.out.printf("ChaosIT: %d clients, %d rooms, %d s of load; faults: %s%n", CLIENTS, ROOMS, loadMs / 1000,
        faults);
    System.out.printf("ChaosIT: %d ops acknowledged (all stored exactly once), %d retries, %d duplicates suppressed "
        + "(acked as duplicates), %d reconnects, %d ops stored in total%n", acked, retries, duplicates, reconnects,
        stored.size());
    for (int i = 0; i < faults.size(); i++) {
      long at = faultAt.get(i);
      long recovered = call(() -> everyClientAckedAfter(at));
      System.out.printf("ChaosIT: after '%s' every client had a new op acknowledged within %d ms%n", faults.get(i),
          (recovered - at) / 1_000_000);
    }
    assertThat(acked).as("ops acknowledged under chaos").isGreaterThan(100);
  }

  /** When the last client to recover had its first op acknowledged after {@code nanos}. */
  private long everyClientAckedAfter(long nanos) {
    long last = nanos;
    for (ChaosClient c : clients) {
      long first = Long.MAX_VALUE;
      for (long t : c.ackTimes) {
        if (t >= nanos && t < first) {
          first = t;
        }
      }
      last = Math.max(last, first == Long.MAX_VALUE ? nanos : first);
    }
    return last;
  }

  private <T> T call(Callable<T> work) {
    try {
      return onClients(work);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
