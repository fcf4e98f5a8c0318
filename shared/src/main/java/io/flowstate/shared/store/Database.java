package io.flowstate.shared.store;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/** Creates the PostgreSQL connection pool of a service from a {@code postgresql://} URL. */
public final class Database {
  private Database() {
  }

  public static Pool pool(Vertx vertx, String url, int size) {
    PgConnectOptions connect = PgConnectOptions.fromUri(url)
        .setPipeliningLimit(256)
        .setCachePreparedStatements(true)
        .setReconnectAttempts(0);
    PoolOptions pool = new PoolOptions().setMaxSize(size).setName("flowstate-" + Integer.toHexString(url.hashCode()))
        .setShared(false);
    return PgBuilder.pool().with(pool).connectingTo(connect).using(vertx).build();
  }
}
