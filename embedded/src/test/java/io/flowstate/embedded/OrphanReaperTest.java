package io.flowstate.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrphanReaperTest {
  private static final String REGISTRY = "flowstate.embedded.registry";

  @TempDir
  Path registry;

  @BeforeEach
  void isolateRegistry() {
    // Other JVMs on this machine must neither see nor reap the fake entries written here.
    System.setProperty(REGISTRY, registry.toString());
  }

  @AfterEach
  void restoreRegistry() {
    System.clearProperty(REGISTRY);
  }

  @Test
  @DisplayName("starting a server kills a Redis whose recorded owner JVM is dead")
  void startReapsDeadOwnersRedis() throws Exception {
    EmbeddedRedisServer orphan = EmbeddedRedisServer.start(0);
    long orphanPid = orphan.pid();
    try {
      recordAsOwnedByDeadJvm("redis", orphanPid, orphan.port(), null, false);

      try (EmbeddedRedisServer next = EmbeddedRedisServer.start(0)) {
        assertThat(RespProbe.answersPing(next.port())).isTrue();
      }

      assertThat(ProcessHandle.of(orphanPid).filter(ServerRegistry::isRunning)).isEmpty();
      assertThat(RespProbe.answersPing(orphan.port())).isFalse();
    } finally {
      orphan.close();
    }
  }

  @Test
  @DisplayName("a PostgreSQL whose recorded owner JVM is dead is killed and its temporary data directory deleted")
  void reapsDeadOwnersPostgres() throws Exception {
    EmbeddedPostgresServer orphan = EmbeddedPostgresServer.start(null, 0);
    long orphanPid = orphan.pid();
    Path dataDir = orphan.dataDir();
    try {
      recordAsOwnedByDeadJvm("postgres", orphanPid, orphan.port(), dataDir, true);

      assertThat(ServerRegistry.reapOrphans())
          .extracting(ServerRegistry.Entry::serverPid)
          .containsExactly(orphanPid);

      assertThat(ProcessHandle.of(orphanPid).filter(ServerRegistry::isRunning)).isEmpty();
      assertThat(dataDir).doesNotExist();
    } finally {
      orphan.close();
    }
  }

  @Test
  @DisplayName("servers of live owners, and recycled PIDs of dead owners' servers, are left alone")
  void leavesLiveServersAlone() throws Exception {
    try (EmbeddedRedisServer live = EmbeddedRedisServer.start(0)) {
      // The same PID recorded with another start time stands for a PID the OS has reused.
      ServerRegistry.record(new ServerRegistry.Entry("redis", deadPid(), 0, live.pid(),
          ServerRegistry.startMillis(ProcessHandle.current()) - 60_000, live.port(), null, false));

      assertThat(ServerRegistry.reapOrphans()).hasSize(1);
      assertThat(ServerRegistry.reapOrphans()).isEmpty();
      assertThat(RespProbe.answersPing(live.port())).isTrue();
      assertThat(registry).isDirectoryContaining(p -> p.toString().endsWith(".server"));
    }
    assertThat(registry).isEmptyDirectory();
  }

  private static void recordAsOwnedByDeadJvm(String kind, long serverPid, int port, Path dataDir,
      boolean deleteDataDir) throws IOException, InterruptedException {
    ServerRegistry.Entry real = ServerRegistry.owned(kind, serverPid, port, dataDir, deleteDataDir);
    ServerRegistry.record(new ServerRegistry.Entry(kind, deadPid(), 0, serverPid,
        real.serverStartMillis(), port, dataDir, deleteDataDir));
  }

  /** The PID of a process that has already exited. */
  private static long deadPid() throws IOException, InterruptedException {
    Process process = new ProcessBuilder("sh", "-c", "exit 0").start();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return process.pid();
  }
}
