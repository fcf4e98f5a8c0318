package io.flowstate.sequencer;

import io.flowstate.sequencer.publish.CommitPublisher;
import io.flowstate.sequencer.room.RoomSequencer;
import io.flowstate.shared.access.AccessCache;
import io.flowstate.shared.access.AccessChange;
import io.flowstate.sequencer.lease.ShardLeases;
import io.flowstate.sequencer.room.ShardOwnership;
import io.flowstate.sequencer.store.OpStore;
import io.flowstate.sequencer.store.SnapshotWriter;
import io.flowstate.shared.canvas.CanvasLimits;
import io.flowstate.shared.canvas.Reducer;
import io.flowstate.shared.channel.Channels;
import io.flowstate.shared.config.SequencerConfig;
import io.flowstate.shared.lifecycle.Drain;
import io.flowstate.shared.protocol.Submission;
import io.flowstate.shared.redis.RedisPublisher;
import io.flowstate.shared.redis.RedisSubscriber;
import io.flowstate.shared.store.Database;
import io.flowstate.shared.store.Migrations;
import io.flowstate.shared.store.OpLog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The sequencer service: applies migrations, subscribes to the shard channels it owns and feeds
 * every submission to the {@link RoomSequencer}. Fails to deploy, with the cause, when PostgreSQL
 * or Redis is unreachable at start.
 */
public final class SequencerVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(SequencerVerticle.class.getName());
  private static final long EVICT_EVERY_MS = 30_000;

  private final SequencerConfig config;
  private final io.flowstate.shared.metrics.Metrics metrics;
  private io.vertx.core.http.HttpServer http;
  private volatile boolean draining;
  private ShardOwnership ownership;
  private ShardLeases leases;
  private Channels channels;
  private Pool pool;
  private RedisSubscriber subscriber;
  private RedisPublisher publisher;
  private RoomSequencer sequencer;
  private AccessCache access;
  private long evictTimer;
  private long snapshotTimer;

  /** A sequencer that shares the shards with other sequencers through leases. */
  public SequencerVerticle(SequencerConfig config) {
    this(config, io.flowstate.shared.metrics.Metrics.create());
  }

  /** A leasing sequencer recording into {@code metrics} (shared with the gateway in dev mode). */
  public SequencerVerticle(SequencerConfig config, io.flowstate.shared.metrics.Metrics metrics) {
    this(config, null, metrics);
  }

  /** A sequencer with fixed ownership ({@code null}: leases), for tests of one sequencer. */
  public SequencerVerticle(SequencerConfig config, ShardOwnership ownership, io.flowstate.shared.metrics.Metrics metrics) {
    this.config = config;
    this.ownership = ownership;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    channels = new Channels(config.redisPrefix());
    pool = Database.pool(vertx, config.pgUrl(), config.pgPoolSize());
    publisher = new RedisPublisher(vertx, config.redisMode(), config.redisUrl(), config.sequencerId());
    subscriber = new RedisSubscriber(vertx, config.redisMode(), config.redisUrl(), config.sequencerId());
    OpLog log = new OpLog(vertx, pool);
    if (ownership == null) {
      leases = new ShardLeases(vertx, pool, config);
      ownership = leases;
    }
    access = new AccessCache(pool, config.accessCacheTtlMs());
    sequencer = new RoomSequencer(vertx, config, ownership, new OpStore(pool), log,
        new CommitPublisher(publisher, channels),
        new SnapshotWriter(vertx, pool, log, new Reducer(CanvasLimits.replay())), access, metrics);
    String accessChannel = channels.access();
    subscriber.messageHandler((channel, payload) -> {
      if (channel.equals(accessChannel)) {
        onAccessChange(payload);
      } else {
        onSubmission(payload);
      }
    });
    // Role changes published while disconnected are lost: forget every cached role.
    subscriber.reconnectHandler(access::clear);
    return Migrations.apply(vertx, pool)
        .recover(e -> Future.failedFuture(new IllegalStateException(
            "sequencer cannot prepare PostgreSQL at " + config.pgUrl() + ": " + e.getMessage(), e)))
        .compose(v -> publisher.start().compose(x -> subscriber.start())
            .recover(e -> Future.failedFuture(new IllegalStateException(
                "sequencer cannot reach Redis at " + config.redisUrl() + ": " + e.getMessage(), e))))
        .compose(v -> subscriber.subscribe(accessChannel))
        .compose(v -> leases == null ? subscribeOwnedShards() : startLeases())
        .compose(v -> startHttp())
        .onSuccess(v -> {
          evictTimer = vertx.setPeriodic(EVICT_EVERY_MS, id -> sequencer.evictIdle());
          long snapshotSweep = Math.max(100, Math.min(config.snapshotEveryMs() / 2, EVICT_EVERY_MS));
          snapshotTimer = vertx.setPeriodic(snapshotSweep, id -> sequencer.snapshotStale());
          LOG.info("sequencer " + config.sequencerId() + " owns " + ownership.owned().size() + " shards");
        });
  }

  /**
   * Drain: stop consuming submissions, let the group in flight commit and publish (up to the
   * drain deadline), then disconnect. Unconsumed submissions get {@code unavailable} from their
   * gateway and are retried against the next owner.
   */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(evictTimer);
    vertx.cancelTimer(snapshotTimer);
    draining = true;
    long deadline = System.currentTimeMillis() + config.drainDeadlineMs();
    return subscriber.close().transform(v -> Drain.until(vertx, sequencer::idle, deadline))
        .eventually(() -> leases == null ? Future.succeededFuture() : leases.releaseAll())
        .eventually(() -> publisher.close())
        .eventually(() -> http == null ? Future.succeededFuture() : http.close())
        .eventually(() -> pool.close());
  }

  /** Health and metrics on their own port ({@code FLOWSTATE_SEQUENCER_HTTP_PORT}), when configured. */
  private Future<Void> startHttp() {
    if (config.httpPort() < 0) {
      return Future.succeededFuture();
    }
    io.vertx.ext.web.Router router = io.vertx.ext.web.Router.router(vertx);
    router.get("/health/live").handler(ctx -> ctx.response().putHeader("content-type", "application/json")
        .end("{\"status\":\"UP\"}"));
    router.get("/health/ready").handler(ctx -> pool.query("SELECT 1").execute().transform(ar -> {
      boolean up = ar.succeeded() && subscriber.connected() && publisher.connected() && !draining;
      ctx.response().setStatusCode(up ? 200 : 503).putHeader("content-type", "application/json")
          .end("{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"checks\":{\"redis\":"
              + (subscriber.connected() && publisher.connected()) + ",\"postgres\":" + ar.succeeded()
              + ",\"draining\":" + draining + "}}");
      return Future.succeededFuture();
    }));
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape()));
    return vertx.createHttpServer().requestHandler(router).listen(config.httpPort(), config.httpHost())
        .onSuccess(s -> http = s).<Void>mapEmpty()
        .recover(e -> Future.failedFuture(new IllegalStateException("sequencer cannot listen on "
            + config.httpHost() + ":" + config.httpPort() + ": " + e.getMessage(), e)));
  }

  /** The port of the health/metrics listener, or -1. */
  public int httpPort() {
    return http == null ? -1 : http.actualPort();
  }

  /** The running sequencer, for metrics and tests. */
  public RoomSequencer sequencer() {
    return sequencer;
  }

  private void onAccessChange(String payload) {
    try {
      access.invalidate(AccessChange.decode(payload));
    } catch (Exception e) {
      LOG.warning("malformed access change, dropping every cached role: " + e.getMessage());
      access.clear();
    }
  }

  /** Leases decide the shards: subscribe on acquiring (rooms load fresh), unsubscribe on losing. */
  private Future<Void> startLeases() {
    leases.listeners(gained -> {
      sequencer.forgetShards(gained);
      gained.forEach(shard -> subscriber.subscribe(channels.shard(shard)));
    }, lost -> {
      lost.forEach(shard -> subscriber.unsubscribe(channels.shard(shard)));
      sequencer.forgetShards(lost);
    });
    return leases.start();
  }

  /** The shard leases (null with fixed ownership), for tests that pause or crash a sequencer. */
  public ShardLeases leases() {
    return leases;
  }

  private Future<Void> subscribeOwnedShards() {
    java.util.List<Future<Void>> all = new java.util.ArrayList<>();
    for (int shard : ownership.owned()) {
      all.add(subscriber.subscribe(channels.shard(shard)));
    }
    return Future.all(all).mapEmpty();
  }

  private void onSubmission(String payload) {
    Submission s;
    try {
      s = Submission.decode(payload);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "dropping malformed submission: " + e.getMessage());
      return;
    }
    sequencer.submit(s);
  }
}
