package io.flowstate.app;

import static io.flowstate.app.TestCluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowstate.testkit.WsTestClient;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A gateway whose Redis subscription drops")
class RedisReconnectTest extends ClusterTest {

  @Test
  @DisplayName("resubscribes and delivers every event committed meanwhile, in order, from PostgreSQL")
  void catchesUpAfterReconnect() {
    cluster = TestCluster.start(2);
    String room = "reconnect-" + cluster.prefix;
    WsTestClient writer = cluster.connect(0, "writer");
    TestCluster.join(writer, room, null);
    WsTestClient victim = cluster.connect(1, "victim");
    TestCluster.join(victim, room, null);
    TestCluster.sendOp(writer, room, "r-0", TestCluster.createRect("s", 0, 0));
    assertThat(victim.next("op", WAIT).path("version").asLong()).isEqualTo(1);

    Redis redis = Redis.createClient(cluster.vertx, cluster.redisUrl);
    String clients = cluster.block(redis.send(Request.cmd(Command.CLIENT).arg("LIST"))).toString();
    String victimLink = cluster.prefix + "-gw1-sub";
    String id = null;
    for (String line : clients.split("\n")) {
      if (line.contains(" name=" + victimLink + " ")) {
        id = line.substring(line.indexOf("id=") + 3, line.indexOf(' ', line.indexOf("id=")));
      }
    }
    assertThat(id).as("the victim gateway's subscriber connection is named %s", victimLink).isNotNull();
    cluster.block(redis.send(Request.cmd(Command.CLIENT).arg("KILL").arg("ID").arg(id)));

    for (int i = 1; i <= 5; i++) {
      TestCluster.sendOp(writer, room, "r-" + i, TestCluster.move("s", i, i));
    }
    writer.await(f -> f.path("type").asText().equals("op") && f.path("version").asLong() == 6, WAIT);
    List<Long> versions = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      versions.add(victim.next("op", WAIT).path("version").asLong());
    }
    assertThat(versions).containsExactly(2L, 3L, 4L, 5L, 6L);

    TestCluster.sendOp(writer, room, "r-after", TestCluster.move("s", 9, 9));
    assertThat(victim.next("op", WAIT).path("version").asLong()).isEqualTo(7);
    redis.close();
  }
}
