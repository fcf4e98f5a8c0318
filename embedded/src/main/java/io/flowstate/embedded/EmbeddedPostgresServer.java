package io.flowstate.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A real PostgreSQL 16 server (zonky binaries) listening on 127.0.0.1, user {@code postgres}
 * with trust authentication, for dev mode and tests. With no data directory it runs on a fresh
 * temporary one (fsync off) that {@link #close()} deletes; a given directory is kept and
 * reused. Servers left behind by a killed JVM are reaped by the next {@link #start}.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(EmbeddedPostgresServer.class.getName());
  private static final String KIND = "postgres";
  private static final String WHAT = "embedded PostgreSQL";
  private static final String USER = "postgres";
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(30);
  private static final int PORT_ATTEMPTS = 3;

  private final EmbeddedPostgres postgres;
  private final Path dataDir;
  private final boolean temporary;
  private final int port;
  private final long pid;
  private final long pidStartMillis;
  private final Path registryEntry;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDir, boolean temporary,
      int port, long pid) {
    this.postgres = postgres;
    this.dataDir = dataDir;
    this.temporary = temporary;
    this.port = port;
    this.pid = pid;
    this.pidStartMillis = ProcessHandle.of(pid).map(ServerRegistry::startMillis).orElse(0L);
    this.registryEntry = ServerRegistry.record(
        ServerRegistry.owned(KIND, pid, port, dataDir, temporary));
    ServerRegistry.track(this);
  }

  /**
   * Starts a server, first reaping servers orphaned by dead JVMs.
   *
   * @param dataDir cluster directory to create or reuse; {@code null} for a temporary one
   * @param port TCP port on 127.0.0.1; 0 picks a free one
   * @throws IllegalStateException naming the port and the cause when the server cannot start
   */
  public static EmbeddedPostgresServer start(Path dataDir, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    ServerRegistry.reapOrphans();
    boolean temporary = dataDir == null;
    int attempts = port == 0 ? PORT_ATTEMPTS : 1;
    for (int attempt = 1; ; attempt++) {
      int chosen = port == 0 ? LoopbackPorts.free() : port;
      if (port != 0) {
        LoopbackPorts.requireFree(port, WHAT);
      }
      Path dir = temporary ? temporaryDataDir() : dataDir.toAbsolutePath();
      try {
        return launch(dir, temporary, chosen);
      } catch (IllegalStateException e) {
        if (temporary) {
          ServerRegistry.deleteTree(dir);
        }
        // Retry only when another process took the port we picked in the meantime.
        if (attempt >= attempts || LoopbackPorts.isFree(chosen)) {
          throw e;
        }
      }
    }
  }

  /** TCP port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** Connection URI of {@code database}, accepted by {@code PgConnectOptions.fromUri}. */
  public String url(String database) {
    String db = URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    return "postgresql://" + USER + "@" + LoopbackPorts.HOST + ":" + port + "/" + db;
  }

  /** Connection URI of the {@code postgres} maintenance database. */
  public String url() {
    return url("postgres");
  }

  /** Creates an empty database named {@code name} (any name; it is quoted). */
  public void createDatabase(String name) {
    String sql = "CREATE DATABASE " + quoteIdentifier(name);
    try (Connection c = jdbc("postgres"); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name + " on " + WHAT
          + " at " + LoopbackPorts.HOST + ":" + port + ": " + e.getMessage(), e);
    }
  }

  /** PID of the postmaster process. */
  public long pid() {
    return pid;
  }

  /** Cluster directory; deleted by {@link #close()} when it was temporary. */
  Path dataDir() {
    return dataDir;
  }

  /** Stops the server (fast shutdown) and deletes a temporary data directory. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ServerRegistry.untrack(this);
    try {
      postgres.close();
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "pg_ctl stop failed for " + this, e);
    }
    if (ServerRegistry.isAlive(pid, pidStartMillis)) {
      ProcessHandle.of(pid).ifPresent(h -> ServerRegistry.terminate(h, true));
    }
    if (temporary) {
      ServerRegistry.deleteTree(dataDir);
    }
    ServerRegistry.remove(registryEntry);
  }

  @Override
  public String toString() {
    return WHAT + " pid " + pid + " on " + LoopbackPorts.HOST + ":" + port + " (" + dataDir + ")";
  }

  private static EmbeddedPostgresServer launch(Path dir, boolean temporary, int port) {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setDataDirectory(dir)
        .setCleanDataDirectory(temporary)
        .setPort(port)
        .setRegisterShutdownHook(false)
        .setPGStartupWait(STARTUP_WAIT)
        .setServerConfig("listen_addresses", LoopbackPorts.HOST)
        // Many services and test clusters share one server; the stock 100 connections run out.
        .setServerConfig("max_connections", "500");
    if (temporary) {
      builder.setServerConfig("full_page_writes", "off");
    } else {
      // A kept cluster must survive a crash: undo zonky's -F (fsync off) and async commit.
      builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
    }
    EmbeddedPostgres postgres;
    try {
      postgres = builder.start();
    } catch (IOException | RuntimeException e) {
      killStray(dir);
      throw new IllegalStateException(WHAT + " failed to start on " + LoopbackPorts.HOST + ":"
          + port + " with data directory " + dir + ": " + rootMessage(e), e);
    }
    long pid;
    try {
      pid = postmasterPid(dir);
    } catch (IllegalStateException e) {
      try {
        postgres.close();
      } catch (IOException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new IllegalStateException(WHAT + " started on " + LoopbackPorts.HOST + ":" + port
          + " but " + e.getMessage(), e);
    }
    EmbeddedPostgresServer server = new EmbeddedPostgresServer(postgres, dir, temporary, port, pid);
    LOG.info(() -> "started " + server);
    return server;
  }

  private static Path temporaryDataDir() {
    Path base = Paths.get(System.getProperty("java.io.tmpdir"), "flowstate-embedded", "data");
    try {
      Files.createDirectories(base);
      return Files.createTempDirectory(base, "pg-");
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a data directory for " + WHAT + " in "
          + base, e);
    }
  }

  /** First line of postmaster.pid is the postmaster's PID. */
  private static long postmasterPid(Path dir) {
    Path file = dir.resolve("postmaster.pid");
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
      return Long.parseLong(lines.get(0).trim());
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("its PID cannot be read from " + file, e);
    }
  }

  /** A failed start may still have launched a postmaster; do not leave it running. */
  private static void killStray(Path dir) {
    if (Files.exists(dir.resolve("postmaster.pid"))) {
      try {
        ProcessHandle.of(postmasterPid(dir)).ifPresent(h -> ServerRegistry.terminate(h, true));
      } catch (IllegalStateException e) {
        LOG.log(Level.FINE, "no stray postmaster in " + dir, e);
      }
    }
  }

  private Connection jdbc(String database) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", USER);
    props.setProperty("connectTimeout", "10");
    return DriverManager.getConnection(
        "jdbc:postgresql://" + LoopbackPorts.HOST + ":" + port + "/" + database, props);
  }

  static String quoteIdentifier(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("database name must not be empty");
    }
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
      message.append("; caused by ").append(t.getClass().getSimpleName()).append(": ")
          .append(t.getMessage());
    }
    return message.toString();
  }
}
