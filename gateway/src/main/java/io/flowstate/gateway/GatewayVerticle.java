package io.flowstate.gateway;

import io.flowstate.gateway.access.AccessGuard;
import io.flowstate.gateway.http.HealthHandler;
import io.flowstate.shared.store.Migrations;
import io.flowstate.gateway.presence.RoomPresence;
import io.flowstate.gateway.auth.TokenVerifier;
import io.flowstate.gateway.account.AccountStore;
import io.flowstate.gateway.account.AuthApi;
import io.flowstate.gateway.http.ApiAuth;
import io.flowstate.gateway.http.ApiRouter;
import io.flowstate.gateway.workspace.CanvasApi;
import io.flowstate.gateway.workspace.InviteApi;
import io.flowstate.gateway.workspace.WorkspaceApi;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import io.flowstate.gateway.http.HistoryRoutes;
import io.flowstate.gateway.relay.RoomFeeds;
import io.flowstate.gateway.relay.SubmitRelay;
import io.flowstate.gateway.ws.SessionRegistry;
import io.flowstate.gateway.ws.WsEndpoint;
import io.flowstate.shared.canvas.CanvasLimits;
import io.flowstate.shared.canvas.Reducer;
import io.flowstate.shared.channel.Channels;
import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.shared.lifecycle.Drain;
import io.flowstate.shared.protocol.Delivery;
import io.flowstate.shared.redis.RedisPublisher;
import io.flowstate.shared.redis.RedisSubscriber;
import io.flowstate.shared.store.Database;
import io.flowstate.shared.store.OpLog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.sqlclient.Pool;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The gateway service: WebSocket endpoint, health endpoints and the static web app on one HTTP
 * port; Redis links to the sequencer (submissions out, replies in) and to room channels
 * (committed events in); PostgreSQL for joins and gap repair. Holds nothing a restart can lose.
 */
public final class GatewayVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(GatewayVerticle.class.getName());

  private final GatewayConfig config;
  private final io.flowstate.shared.metrics.Metrics metrics;
  private Pool pool;
  private RedisSubscriber subscriber;
  private RedisPublisher publisher;
  private SessionRegistry sessions;
  private RoomFeeds feeds;
  private SubmitRelay relay;
  private WsEndpoint endpoint;
  private RoomPresence presence;
  private TokenVerifier verifier;
  private AccessGuard guard;
  private Channels channels;
  private OpLog log;
  private long accessTimer = -1;
  private HttpServer server;
  private volatile boolean draining;

  public GatewayVerticle(GatewayConfig config) {
    this(config, io.flowstate.shared.metrics.Metrics.create());
  }

  /** A gateway recording into {@code metrics} (shared with the sequencer in dev mode). */
  public GatewayVerticle(GatewayConfig config, io.flowstate.shared.metrics.Metrics metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, config.pgUrl(), config.pgPoolSize());
    subscriber = new RedisSubscriber(vertx, config.redisMode(), config.redisUrl(), config.gatewayId());
    publisher = new RedisPublisher(vertx, config.redisMode(), config.redisUrl(), config.gatewayId());
    sessions = new SessionRegistry();
    channels = new Channels(config.redisPrefix());
    log = new OpLog(vertx, pool);
    verifier = config.jwt() == null ? null : new TokenVerifier(vertx, config.jwt());
    feeds = new RoomFeeds(vertx, config, channels, subscriber, log, new Reducer(CanvasLimits.replay()));
    relay = new SubmitRelay(vertx, config, channels, publisher, sessions::get);
    presence = new RoomPresence(vertx, config, channels, publisher, feeds::localSessions);
    feeds.presence(presence);
    feeds.metrics(metrics);
    relay.onRedisError(() -> metrics.counter("flowstate.redis.errors").increment());
    guard = new AccessGuard(config, pool, sessions, feeds, relay::forget);
    endpoint = new WsEndpoint(vertx, config, sessions, feeds, relay, presence, metrics, verifier, guard);
    metrics.gauge("flowstate.gateway.connections", "open WebSocket connections", sessions::size);
    metrics.gauge("flowstate.gateway.rooms", "rooms with local members", feeds::roomCount);
    metrics.gauge("flowstate.gateway.pending.ops", "submissions awaiting their outcome", relay::pendingCount);
    // 1 while this gateway accepts connections (not draining, Redis links up); PostgreSQL is
    // checked by /health/ready itself.
    metrics.gauge("flowstate.gateway.ready", "1 when accepting connections, else 0",
        () -> !draining && subscriber.connected() && publisher.connected() ? 1 : 0);
    feeds.onCommitted(relay::committed);
    relay.onTimeout(feeds::catchUp);
    String replyChannel = channels.gateway(config.gatewayId());
    String accessChannel = channels.access();
    subscriber.messageHandler((channel, payload) -> {
      if (channel.equals(replyChannel)) {
        onDelivery(payload);
      } else if (channel.equals(accessChannel)) {
        guard.onChange(payload);
      } else {
        feeds.onMessage(channel, payload);
      }
    });
    subscriber.reconnectHandler(() -> {
      feeds.onReconnect();
      guard.onReconnect();
    });
    // Every service applies the migrations (under a lock, each once), so start order does not matter.
    return Migrations.apply(vertx, pool)
        .recover(e -> Future.failedFuture(new IllegalStateException(
            "gateway cannot prepare PostgreSQL at " + config.pgUrl() + ": " + e.getMessage(), e)))
        .compose(v -> verifier == null ? Future.succeededFuture() : verifier.start())
        .compose(v -> publisher.start().compose(x -> subscriber.start())
            .compose(x -> subscriber.subscribe(replyChannel))
            .compose(x -> subscriber.subscribe(accessChannel))
            .compose(x -> presence.start(feeds::rooms))
            .recover(e -> Future.failedFuture(new IllegalStateException(
                "gateway cannot reach Redis at " + config.redisUrl() + ": " + e.getMessage(), e))))
        .compose(v -> startHttp())
        .onSuccess(s -> {
          endpoint.startHeartbeats();
          accessTimer = vertx.setPeriodic(config.accounts().accessCacheTtlMs(), id -> guard.recheckStale());
          LOG.info("gateway " + config.gatewayId() + " listening on " + config.httpHost() + ":" + s.actualPort());
        });
  }

  /**
   * Graceful drain: turn not-ready and refuse new connections, let in-flight ops settle (up to the
   * drain deadline), close every socket with 1001 so clients resume elsewhere, then disconnect.
   */
  @Override
  public Future<?> stop() {
    draining = true;
    vertx.cancelTimer(accessTimer);
    endpoint.drain();
    endpoint.stopHeartbeats();
    long deadline = System.currentTimeMillis() + config.drainDeadlineMs();
    return Drain.until(vertx, () -> relay.pendingCount() == 0, deadline)
        .eventually(() -> {
          sessions.all().forEach(s -> s.close((short) 1001, "server draining; reconnect and resume"));
          presence.stop();
          return server == null ? Future.succeededFuture() : server.close();
        })
        .eventually(() -> {
          if (verifier != null) {
            verifier.stop();
          }
          return Future.join(subscriber.close(), publisher.close());
        })
        .eventually(() -> pool.close());
  }

  /** Whether the gateway is draining (not ready, refusing connections). */
  public boolean draining() {
    return draining;
  }

  /** The bound HTTP port (useful when configured as 0). */
  public int port() {
    return server.actualPort();
  }

  /** The room feeds, for tests that simulate lost events. */
  public RoomFeeds feeds() {
    return feeds;
  }

  /** The permission checks, for tests that simulate a gateway skipping its own. */
  public AccessGuard access() {
    return guard;
  }

  public SessionRegistry sessions() {
    return sessions;
  }

  private Future<HttpServer> startHttp() {
    HealthHandler health = new HealthHandler(() -> draining,
        () -> subscriber.connected() && publisher.connected(),
        () -> pool.query("SELECT 1").execute().mapEmpty());
    AccountStore accounts = new AccountStore(pool);
    Map<String, Handler<RoutingContext>> handlers = new HashMap<>();
    handlers.put("connect", endpoint::handle);
    handlers.put("live", health::live);
    handlers.put("ready", health::ready);
    handlers.put("metrics", ctx -> ctx.response()
        .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape()));
    handlers.put("getOpenApi", ctx -> ctx.response().putHeader("content-type", "application/json")
        .sendFile(ApiRouter.CONTRACT));
    handlers.putAll(new HistoryRoutes(vertx, config, log, new Reducer(CanvasLimits.replay()))
        .handlers());
    handlers.putAll(new AuthApi(vertx, config, accounts, verifier, publisher, channels).handlers());
    handlers.putAll(new WorkspaceApi(pool, publisher, channels).handlers());
    handlers.putAll(new InviteApi(pool, publisher, channels, config.accounts()).handlers());
    handlers.putAll(new CanvasApi(pool, publisher, channels).handlers());
    ApiAuth auth = new ApiAuth(config, verifier, guard, accounts);
    return ApiRouter.create(vertx, handlers, auth, config.accounts().maxHttpBodyBytes(),
            StaticHandler.create("webroot").setCachingEnabled(false))
        .compose(this::listen);
  }

  private Future<HttpServer> listen(Router router) {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.httpHost())
        .setPort(config.httpPort())
        .setMaxWebSocketFrameSize(transportCeiling())
        .setMaxWebSocketMessageSize(transportCeiling());
    return vertx.createHttpServer(options).requestHandler(router).listen()
        .onSuccess(s -> server = s)
        .recover(e -> Future.failedFuture(new IllegalStateException(
            "gateway cannot listen on " + config.httpHost() + ":" + config.httpPort() + ": " + e.getMessage(), e)));
  }

  /**
   * The WebSocket transport accepts messages up to 4x the frame limit, so that an oversized
   * message is read whole and refused with a clean close 1009 by the endpoint; beyond this ceiling
   * the transport drops the connection outright.
   */
  private int transportCeiling() {
    return (int) Math.min(Integer.MAX_VALUE, 4L * config.maxFrameBytes());
  }

  private void onDelivery(String payload) {
    try {
      relay.delivered(Delivery.decode(payload));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "dropping malformed delivery: " + e.getMessage());
    }
  }
}
