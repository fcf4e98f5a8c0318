package io.flowstate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowstate.embedded.EmbeddedPostgresServer;
import io.flowstate.embedded.EmbeddedRedisServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The embedded servers as the services see them: through the Vert.x PostgreSQL and Redis clients. */
@ExtendWith(VertxExtension.class)
class EmbeddedServersWithVertxClientsTest {

  @Test
  @DisplayName("a Vert.x PgConnection to a database created on the embedded server answers SELECT 1")
  void pgConnectionQueries(Vertx vertx) throws Exception {
    try (EmbeddedPostgresServer pg = TestInfra.privatePostgres()) {
      pg.createDatabase("fs_vertx");
      assertThat(TestInfraTest.single(vertx, pg.url("fs_vertx"), "SELECT 1").getInteger(0))
          .isEqualTo(1);
    }
  }

  @Test
  @DisplayName("the Vert.x Redis client gets PONG, nothing while stopped, and PONG after restart")
  void redisOutageAndRecovery(Vertx vertx) throws Exception {
    try (EmbeddedRedisServer redis = TestInfra.privateRedis()) {
      assertThat(TestInfraTest.ping(vertx, redis.url())).isEqualTo("PONG");

      redis.stop();
      assertThatThrownBy(() -> TestInfraTest.ping(vertx, redis.url()))
          .isInstanceOf(ExecutionException.class);

      redis.restart();
      assertThat(TestInfraTest.ping(vertx, redis.url())).isEqualTo("PONG");
    }
  }
}
