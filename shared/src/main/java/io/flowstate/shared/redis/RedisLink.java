package io.flowstate.shared.redis;

import io.flowstate.shared.config.RedisMode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One dedicated Redis connection that comes back by itself: on loss it reconnects with capped
 * exponential backoff (100 ms doubling to 5 s) and runs the owner's {@code onConnect} again
 * (e.g. to re-subscribe). Owners keep their role: one link for subscribing, one for commands,
 * so per-connection ordering holds. The connection carries its name ({@code CLIENT SETNAME}) so
 * operators can find it in {@code CLIENT LIST}.
 *
 * <p>In {@link RedisMode#CLUSTER} the "connection" is Vert.x's cluster connection: one pooled
 * connection per master, opened together by {@code connect()} (which fails unless every master
 * answers), commands routed by the slot of their key or channel. Losing any node's connection
 * counts as losing the link: all are closed and opened again, and {@code onConnect} runs again.
 */
final class RedisLink {
  private static final Logger LOG = Logger.getLogger(RedisLink.class.getName());
  private static final long MIN_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 5_000;

  private final Vertx vertx;
  private final String name;
  private final Redis client;
  private final Function<RedisConnection, Future<Void>> onConnect;
  private RedisConnection connection;
  private long backoffMs = MIN_BACKOFF_MS;
  private boolean closed;
  private boolean everConnected;

  RedisLink(Vertx vertx, RedisMode mode, String url, String name,
      Function<RedisConnection, Future<Void>> onConnect) {
    this.vertx = vertx;
    this.name = name;
    this.onConnect = onConnect;
    this.client = Redis.createClient(vertx, options(mode, url));
  }

  /** Standalone: the URL as is. Cluster: each comma-separated seed as a connection string. */
  static RedisOptions options(RedisMode mode, String url) {
    RedisOptions options = new RedisOptions().setMaxWaitingHandlers(100_000).setProtocolNegotiation(false);
    if (mode != RedisMode.CLUSTER) {
      return options.setConnectionString(url);
    }
    options.setType(RedisClientType.CLUSTER);
    for (String seed : url.split(",")) {
      if (!seed.isBlank()) {
        options.addConnectionString(seed.trim());
      }
    }
    return options;
  }

  /** Connects once; fails if Redis is unreachable now (callers fail fast at startup). */
  Future<Void> start() {
    return connectOnce();
  }

  RedisConnection connection() {
    return connection;
  }

  boolean connected() {
    return connection != null;
  }

  boolean everConnected() {
    return everConnected;
  }

  Future<Void> close() {
    closed = true;
    RedisConnection c = connection;
    connection = null;
    return (c == null ? Future.<Void>succeededFuture() : c.close().recover(e -> Future.succeededFuture()))
        .eventually(() -> client.close());
  }

  private Future<Void> connectOnce() {
    Promise<Void> done = Promise.promise();
    client.connect().onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
        return;
      }
      RedisConnection c = ar.result();
      c.exceptionHandler(e -> lost(c, e));
      c.endHandler(v -> lost(c, null));
      connection = c;
      c.send(Request.cmd(Command.CLIENT).arg("SETNAME").arg(name))
          .recover(e -> Future.succeededFuture())
          .compose(v -> onConnect.apply(c)).onComplete(init -> {
        if (init.succeeded()) {
          everConnected = true;
          backoffMs = MIN_BACKOFF_MS;
          done.complete();
        } else {
          lost(c, init.cause());
          done.fail(init.cause());
        }
      });
    });
    return done.future();
  }

  private void lost(RedisConnection c, Throwable cause) {
    if (connection != c) {
      return;
    }
    connection = null;
    c.close();
    if (closed) {
      return;
    }
    LOG.log(Level.WARNING, "redis link " + name + " lost" + (cause == null ? "" : ": " + cause.getMessage()));
    scheduleReconnect();
  }

  private void scheduleReconnect() {
    long delay = backoffMs;
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    vertx.setTimer(delay, id -> {
      if (closed || connection != null) {
        return;
      }
      connectOnce().onFailure(e -> {
        if (connection == null && !closed) {
          scheduleReconnect();
        }
      }).onSuccess(v -> LOG.info("redis link " + name + " reconnected"));
    });
  }
}
