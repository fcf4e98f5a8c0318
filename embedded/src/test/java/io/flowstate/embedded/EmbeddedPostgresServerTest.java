package io.flowstate.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresServerTest {

  @Test
  @DisplayName("a temporary server serves created databases; close stops it and deletes its directory")
  void temporaryServerLifecycle() throws SQLException {
    EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(null, 0);
    Path dataDir = pg.dataDir();
    long pid = pg.pid();
    try {
      assertThat(pg.url()).isEqualTo("postgresql://postgres@127.0.0.1:" + pg.port() + "/postgres");
      assertThat(pg.url("fs_a")).isEqualTo("postgresql://postgres@127.0.0.1:" + pg.port() + "/fs_a");
      assertThat(dataDir.resolve("PG_VERSION")).exists();
      assertThat(ProcessHandle.of(pid).filter(ServerRegistry::isRunning)).isPresent();

      pg.createDatabase("fs_embedded_test");
      assertThat(query(pg.port(), "fs_embedded_test", "SELECT current_database()"))
          .isEqualTo("fs_embedded_test");
      assertThat(query(pg.port(), "postgres", "SHOW server_version")).startsWith("16.");
      assertThat(query(pg.port(), "postgres", "SHOW listen_addresses")).isEqualTo("127.0.0.1");

      pg.createDatabase("Mixed \"Case\"");
      assertThatThrownBy(() -> pg.createDatabase("Mixed \"Case\""))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("127.0.0.1:" + pg.port())
          .hasMessageContaining("already exists");
    } finally {
      pg.close();
    }
    assertThat(ProcessHandle.of(pid).filter(ServerRegistry::isRunning)).isEmpty();
    assertThat(dataDir).doesNotExist();
  }

  @Test
  @DisplayName("a given data directory is kept on close and its databases are there on the next start")
  void keptDataDirectory(@TempDir Path parent) throws SQLException {
    Path dir = parent.resolve("cluster");
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir, 0)) {
      pg.createDatabase("kept");
      assertThat(query(pg.port(), "postgres", "SHOW fsync")).isEqualTo("on");
    }
    assertThat(dir.resolve("PG_VERSION")).exists();
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir, 0)) {
      assertThat(query(pg.port(), "kept", "SELECT current_database()")).isEqualTo("kept");
    }
    assertThat(dir).exists();
  }

  @Test
  @DisplayName("an occupied port fails the start with a message naming PostgreSQL and the port")
  void occupiedPort() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> EmbeddedPostgresServer.start(null, port))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("PostgreSQL")
          .hasMessageContaining("127.0.0.1:" + port);
    }
  }

  static String query(int port, String database, String sql) throws SQLException {
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }
}
