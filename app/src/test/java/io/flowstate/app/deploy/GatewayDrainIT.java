package io.flowstate.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.app.deploy.Topology.Account;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Drain of one gateway behind the load balancer of a local cluster (infra/local-cluster.sh): its
 * process gets SIGTERM, its clients are closed with 1001 and resume through the balancer on the
 * other gateway, and the balancer keeps answering. The gateway is started again afterwards.
 */
@DisplayName("Draining one gateway behind the load balancer")
class GatewayDrainIT {
  private static final Duration DRAIN = Duration.ofSeconds(40);

  @Test
  @DisplayName("its clients are closed with 1001, reconnect through the balancer to the other gateway and resume "
      + "with since; the balancer stays ready")
  void drainOneGateway() throws Exception {
    Topology topology = Topology.fromEnv();
    Path cluster = Topology.clusterDir();
    Account ada = topology.signUp("ada");
    Account bob = topology.signUp("bob");
    String room = topology.canvas(ada, bob);

    LbSocket a = topology.connect(ada);
    String drained = a.gateway();
    String name = drained.replaceFirst("^local-", "");
    Path pidFile = cluster.resolve("pids").resolve(name + ".pid");
    if (!Files.exists(pidFile)) {
      a.close();
      Topology.skip("gateway " + drained + " is not a process of " + cluster + " (no " + pidFile + ")");
    }
    long pid = Long.parseLong(Files.readString(pidFile).trim());
    ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));

    try (LbSocket b = topology.connectElsewhere(bob, drained)) {
      a.send(Topology.join(room, null));
      b.send(Topology.join(room, null));
      a.next("joined");
      b.next("joined");
      a.send(Topology.op(room, "a-1", Topology.createRect("s", 0, 0)));
      assertThat(a.next("op").path("version").asLong()).isEqualTo(1);
      assertThat(b.next("op").path("version").asLong()).isEqualTo(1);

      long start = System.nanoTime();
      assertThat(process.destroy()).as("SIGTERM to " + name).isTrue();
      assertThat(a.awaitClose(DRAIN)).as("close code from the draining gateway").isEqualTo(1001);
      long closedMs = (System.nanoTime() - start) / 1_000_000;
      assertThat(topology.status("/health/ready")).as("the balancer while one gateway drains").isEqualTo(200);

      try (LbSocket again = topology.connect(ada)) {
        assertThat(again.gateway()).as("the new connection avoids the draining gateway").isNotEqualTo(drained);
        again.send(Topology.join(room, 1L));
        JsonNode joined = again.next("joined");
        assertThat(joined.path("version").asLong()).isEqualTo(1);
        again.send(Topology.op(room, "a-2", Topology.move("s", 3, 3)));
        assertThat(again.next("op").path("version").asLong()).isEqualTo(2);
        assertThat(b.next("op").path("version").asLong()).isEqualTo(2);
      }
      assertThat(process.onExit().get(DRAIN.toSeconds(), TimeUnit.SECONDS).isAlive()).isFalse();
      System.out.printf("GatewayDrainIT: %s closed its sockets with 1001 after %d ms; clients resumed on the other "
          + "gateway%n", drained, closedMs);
    } finally {
      a.close();
      restart(cluster, name);
    }
  }

  /** Puts the cluster back as it was, for whatever runs next against it. */
  private static void restart(Path cluster, String name) throws Exception {
    Path script = Path.of("..", "infra", "local-cluster.sh").toAbsolutePath().normalize();
    if (!Files.exists(script)) {
      System.out.println("GatewayDrainIT: " + script + " not found; " + name + " stays stopped");
      return;
    }
    ProcessBuilder builder = new ProcessBuilder("bash", script.toString(), "start", name).inheritIO();
    builder.environment().put("FLOWSTATE_CLUSTER_DIR", cluster.toString());
    Process restart = builder.start();
    if (!restart.waitFor(120, TimeUnit.SECONDS) || restart.exitValue() != 0) {
      System.out.println("GatewayDrainIT: could not start " + name + " again (see " + cluster + "/logs)");
    }
  }
}
