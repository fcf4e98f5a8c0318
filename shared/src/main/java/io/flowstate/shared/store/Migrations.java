package io.flowstate.shared.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Applies the versioned SQL migrations under {@code db/migration/} in order, each once, recorded
 * in {@code schema_version}. Runs in one transaction under a PostgreSQL advisory lock, so several
 * sequencers starting together apply each migration exactly once. A tiny runner rather than
 * Flyway: it speaks through the same non-blocking Vert.x pool (no JDBC driver in production).
 * To add a migration, add its file here and to {@link #MIGRATIONS}; never edit an applied one.
 */
public final class Migrations {
  /** The migrations in order; the number is the schema version. */
  static final List<String> MIGRATIONS = List.of("V1__rooms_and_ops.sql", "V2__snapshots_and_history.sql",
      "V3__accounts_workspaces_roles.sql",
      "V4__shard_leases.sql");
  private static final long LOCK_KEY = 0x466c6f7753746174L;

  private Migrations() {
  }

  /** Brings the schema up to date; completes with the schema version. */
  public static Future<Integer> apply(Vertx vertx, Pool pool) {
    return vertx.executeBlocking(Migrations::loadAll)
        .compose(scripts -> pool.withTransaction(conn -> run(conn, scripts)));
  }

  private static Future<Integer> run(SqlConnection conn, List<String> scripts) {
    return conn.query("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")").execute()
        // Checked first rather than CREATE ... IF NOT EXISTS, whose NOTICE every start would log.
        .compose(v -> conn.query("SELECT to_regclass('schema_version') IS NULL AS missing").execute())
        .compose(rows -> rows.iterator().next().getBoolean("missing")
            ? conn.query("CREATE TABLE schema_version (version int PRIMARY KEY, name text NOT NULL,"
                + " applied_at timestamptz NOT NULL DEFAULT now())").execute().mapEmpty()
            : Future.<Void>succeededFuture())
        .compose(v -> conn.query("SELECT coalesce(max(version), 0) AS v FROM schema_version").execute())
        .compose(rows -> applyFrom(conn, scripts, rows.iterator().next().getInteger("v")));
  }

  private static Future<Integer> applyFrom(SqlConnection conn, List<String> scripts, int current) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = current; i < scripts.size(); i++) {
      int version = i + 1;
      String sql = scripts.get(i);
      chain = chain
          .compose(v -> conn.query(sql).execute())
          .compose(v -> conn.preparedQuery("INSERT INTO schema_version (version, name) VALUES ($1, $2)")
              .execute(Tuple.of(version, MIGRATIONS.get(version - 1))))
          .mapEmpty();
    }
    return chain.map(v -> Math.max(current, scripts.size()));
  }

  private static List<String> loadAll() throws IOException {
    List<String> scripts = new java.util.ArrayList<>();
    for (String name : MIGRATIONS) {
      try (InputStream in = Migrations.class.getResourceAsStream("/db/migration/" + name)) {
        if (in == null) {
          throw new IOException("migration " + name + " is missing from the classpath");
        }
        scripts.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    return scripts;
  }
}
