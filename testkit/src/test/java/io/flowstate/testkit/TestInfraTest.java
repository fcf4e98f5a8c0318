package io.flowstate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowstate.embedded.EmbeddedRedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class TestInfraTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  @DisplayName("pgUrl returns a different, empty, reachable database on every call")
  void freshDatabases(Vertx vertx) throws Exception {
    String first = TestInfra.pgUrl();
    String second = TestInfra.pgUrl();

    assertThat(first).isNotEqualTo(second);
    String firstDb = PgConnectOptions.fromUri(first).getDatabase();
    String secondDb = PgConnectOptions.fromUri(second).getDatabase();
    assertThat(firstDb).startsWith("fs_test_");
    assertThat(secondDb).startsWith("fs_test_");

    assertThat(single(vertx, first, "SELECT current_database()").getString(0)).isEqualTo(firstDb);
    sql(vertx, first, "CREATE TABLE t (id int)");
    String tables = "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'";
    assertThat(single(vertx, first, tables).getLong(0)).isEqualTo(1L);
    assertThat(single(vertx, second, tables).getLong(0)).isZero();
  }

  @Test
  @DisplayName("redisUrl names one shared server and privateRedis is always another one")
  void sharedAndPrivateRedis(Vertx vertx) throws Exception {
    String shared = TestInfra.redisUrl();
    assertThat(TestInfra.redisUrl()).isEqualTo(shared);
    assertThat(ping(vertx, shared)).isEqualTo("PONG");
    try (EmbeddedRedisServer mine = TestInfra.privateRedis()) {
      assertThat(mine.url()).isNotEqualTo(shared);
      assertThat(ping(vertx, mine.url())).isEqualTo("PONG");
    }
    assertThat(ping(vertx, shared)).isEqualTo("PONG");
  }

  static String ping(Vertx vertx, String url) throws Exception {
    Redis redis = Redis.createClient(vertx, url);
    try {
      return await(redis.send(Request.cmd(Command.PING))).toString();
    } finally {
      redis.close();
    }
  }

  static Row single(Vertx vertx, String url, String sql) throws Exception {
    return await(PgConnection.connect(vertx, url).compose(conn ->
        conn.query(sql).execute().eventually(conn::close))).iterator().next();
  }

  static void sql(Vertx vertx, String url, String sql) throws Exception {
    await(PgConnection.connect(vertx, url).compose(conn ->
        conn.query(sql).execute().eventually(conn::close)));
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
