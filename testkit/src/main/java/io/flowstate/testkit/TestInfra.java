package io.flowstate.testkit;

import io.flowstate.embedded.EmbeddedPostgresServer;
import io.flowstate.embedded.EmbeddedRedisCluster;
import io.flowstate.embedded.EmbeddedRedisServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Where tests find real Redis and PostgreSQL: the servers named by {@code FLOWSTATE_REDIS_URL}
 * and {@code FLOWSTATE_PG_URL} when set, otherwise embedded servers started once per JVM on
 * free loopback ports. Every {@link #pgUrl()} is a fresh empty database so tests never share
 * tables. Lazily initialised and thread-safe; the embedded servers stop at JVM exit.
 */
public final class TestInfra {
  /** Environment variable naming an external Redis, e.g. {@code redis://127.0.0.1:6379}. */
  public static final String REDIS_URL_ENV = "FLOWSTATE_REDIS_URL";
  /** Environment variable naming an external PostgreSQL server and a database to connect to. */
  public static final String PG_URL_ENV = "FLOWSTATE_PG_URL";

  private static final Logger LOG = Logger.getLogger(TestInfra.class.getName());
  private static final String DATABASE_PREFIX = "fs_test_";

  private static EmbeddedRedisServer sharedRedis;
  private static EmbeddedPostgresServer sharedPostgres;
  private static final Queue<String> EXTERNAL_DATABASES = new ConcurrentLinkedQueue<>();
  private static final AtomicBoolean DROP_HOOK = new AtomicBoolean();

  private TestInfra() {
  }

  /** URL of the Redis all tests of this JVM share; isolate by key prefix or channel name. */
  public static String redisUrl() {
    String external = env(REDIS_URL_ENV);
    return external != null ? external : sharedRedis().url();
  }

  /**
   * Creates a database {@code fs_test_<random>} on the external server ({@code FLOWSTATE_PG_URL},
   * connecting to that URL's database to run CREATE DATABASE) or on the JVM's embedded server,
   * and returns its URL. Databases on an external server are dropped at JVM exit, best effort.
   */
  public static String pgUrl() {
    String external = env(PG_URL_ENV);
    String server = external != null ? external : sharedPostgres().url();
    String name = DATABASE_PREFIX + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    try (Connection c = PgUrls.connect(server); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + PgUrls.quote(name));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + name + " on "
          + PgUrls.redact(server) + ": " + e.getMessage(), e);
    }
    if (external != null) {
      dropAtExit(external, name);
    }
    return PgUrls.withDatabase(server, name);
  }

  /** A new embedded Redis that only the caller uses (to stop and restart it); caller closes it. */
  public static EmbeddedRedisServer privateRedis() {
    return EmbeddedRedisServer.start(0);
  }

  /**
   * A new three-node embedded Redis Cluster (slots assigned, state ok) only for the caller, who
   * closes it. Cluster tests always start their own: they restart nodes, and no external server
   * named by {@code FLOWSTATE_REDIS_URL} is assumed to be a cluster.
   */
  public static EmbeddedRedisCluster privateRedisCluster() {
    return EmbeddedRedisCluster.start();
  }

  /** A new embedded PostgreSQL on a temporary directory, only for the caller; caller closes. */
  public static EmbeddedPostgresServer privatePostgres() {
    return EmbeddedPostgresServer.start(null, 0);
  }

  private static synchronized EmbeddedRedisServer sharedRedis() {
    if (sharedRedis == null) {
      sharedRedis = EmbeddedRedisServer.start(0);
    }
    return sharedRedis;
  }

  private static synchronized EmbeddedPostgresServer sharedPostgres() {
    if (sharedPostgres == null) {
      sharedPostgres = EmbeddedPostgresServer.start(null, 0);
    }
    return sharedPostgres;
  }

  private static String env(String name) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static void dropAtExit(String server, String name) {
    EXTERNAL_DATABASES.add(name);
    if (DROP_HOOK.compareAndSet(false, true)) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> dropAll(server),
          "flowstate-testkit-drop-databases"));
    }
  }

  private static void dropAll(String server) {
    List<String> names = List.copyOf(EXTERNAL_DATABASES);
    try (Connection c = PgUrls.connect(server); Statement s = c.createStatement()) {
      for (String name : names) {
        String drop = "DROP DATABASE IF EXISTS " + PgUrls.quote(name);
        try {
          s.execute(drop + " WITH (FORCE)");
        } catch (SQLException e) {
          try {
            s.execute(drop); // servers before PostgreSQL 13 have no FORCE
          } catch (SQLException again) {
            LOG.log(Level.FINE, "cannot drop test database " + name, again);
          }
        }
      }
    } catch (SQLException e) {
      LOG.log(Level.WARNING, "cannot drop " + names.size() + " test databases on "
          + PgUrls.redact(server), e);
    }
  }
}
