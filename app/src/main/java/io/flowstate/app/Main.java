package io.flowstate.app;

import io.flowstate.embedded.EmbeddedPostgresServer;
import io.flowstate.embedded.EmbeddedRedisServer;
import io.flowstate.gateway.GatewayVerticle;
import io.flowstate.sequencer.SequencerVerticle;
import io.flowstate.shared.config.Env;
import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.shared.config.SequencerConfig;
import io.vertx.core.Future;
import io.flowstate.shared.log.Logging;
import io.flowstate.shared.metrics.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.Map;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The one FlowState jar: {@code gateway}, {@code sequencer} or {@code dev} (both in one JVM, with
 * embedded Redis and PostgreSQL unless their URLs are given). Configured by environment variables
 * (docs/OPERATIONS.md). Exits non-zero with a clear message when a dependency is unreachable.
 */
public final class Main {
  private Main() {
  }

  public static void main(String[] args) {
    String command = args.length == 0 ? "help" : args[0];
    Env env = Env.system();
    try {
      switch (command) {
        case "gateway": {
          GatewayConfig config = GatewayConfig.fromEnv(env, false);
          logging(env, "json", Map.of("service", "gateway", "gateway", config.gatewayId()));
          run(List.of(), (vertx, metrics) -> vertx.deployVerticle(new GatewayVerticle(config, metrics)));
          break;
        }
        case "sequencer": {
          SequencerConfig config = SequencerConfig.fromEnv(env);
          logging(env, "json", Map.of("service", "sequencer", "sequencer", config.sequencerId()));
          run(List.of(), (vertx, metrics) -> vertx.deployVerticle(new SequencerVerticle(config, metrics)));
          break;
        }
        case "dev":
          dev(env);
          break;
        default:
          System.out.println("usage: flowstate gateway|sequencer|dev   (configuration: environment variables, "
              + "see docs/OPERATIONS.md)");
          System.exit("help".equals(command) || "--help".equals(command) ? 0 : 2);
      }
    } catch (RuntimeException e) {
      System.err.println("flowstate " + command + ": " + e.getMessage());
      System.exit(1);
    }
  }

  private static void logging(Env env, String defaultFormat, Map<String, String> fields) {
    Logging.configure(env.string("FLOWSTATE_LOG_LEVEL", "INFO"), env.string("FLOWSTATE_LOG_FORMAT", defaultFormat),
        fields);
  }

  private static void dev(Env env) {
    logging(env, "text", Map.of("service", "dev"));
    List<AutoCloseable> embedded = new ArrayList<>();
    String redisUrl = env.string("FLOWSTATE_REDIS_URL", null);
    String pgUrl = env.string("FLOWSTATE_PG_URL", null);
    String dataDir = env.string("FLOWSTATE_DATA_DIR", null);
    if (redisUrl == null) {
      EmbeddedRedisServer redis = EmbeddedRedisServer.start(0);
      embedded.add(redis);
      redisUrl = redis.url();
      System.out.println("dev: embedded Redis at " + redisUrl);
    }
    if (pgUrl == null) {
      EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dataDir == null ? null : Path.of(dataDir), 0);
      embedded.add(pg);
      createDatabaseIfMissing(pg, "flowstate");
      pgUrl = pg.url("flowstate");
      System.out.println("dev: embedded PostgreSQL at " + pgUrl
          + (dataDir == null ? " (temporary data, removed on exit)" : " (data in " + dataDir + ")"));
    }
    GatewayConfig.Builder gatewayBuilder = GatewayConfig.fromEnv(env, true).toBuilder().stores(redisUrl, pgUrl);
    if (GatewayConfig.fromEnv(env, true).jwt() == null) {
      // Accounts work in dev without configuration: a fresh signing secret per run (sign in again after a restart).
      byte[] secret = new byte[32];
      new java.security.SecureRandom().nextBytes(secret);
      gatewayBuilder.jwt(GatewayConfig.Jwt.hs256(java.util.HexFormat.of().formatHex(secret), null, null));
    }
    GatewayConfig gateway = gatewayBuilder.build();
    // In dev mode the gateway's /metrics shows the sequencer too; no separate sequencer listener.
    SequencerConfig sequencer = SequencerConfig.fromEnv(env, true).toBuilder().stores(redisUrl, pgUrl)
        .http("127.0.0.1", env.integer("FLOWSTATE_SEQUENCER_HTTP_PORT", -1)).build();
    run(embedded, (vertx, metrics) -> vertx.deployVerticle(new SequencerVerticle(sequencer, metrics))
        .compose(id -> vertx.deployVerticle(new GatewayVerticle(gateway, metrics)))
        .onSuccess(id -> System.out.println("dev: FlowState is running at http://localhost:" + gateway.httpPort()
            + "/  (WebSocket endpoint /v1/ws, guest access on)")));
  }

  private static void createDatabaseIfMissing(EmbeddedPostgresServer pg, String name) {
    try {
      pg.createDatabase(name);
    } catch (RuntimeException e) {
      if (!String.valueOf(e.getMessage()).contains("already exists")
          && !String.valueOf(e.getCause()).contains("already exists")) {
        throw e;
      }
    }
  }

  private interface Deployment {
    Future<String> deploy(Vertx vertx, Metrics metrics);
  }

  /** One Vert.x per process, its own metrics (event loops, HTTP, pools, JVM) in the FlowState registry. */
  private static void run(List<AutoCloseable> embedded, Deployment deployment) {
    Metrics metrics = Metrics.create();
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
            .setJvmMetricsEnabled(true)))
        .withMetrics(new MicrometerMetricsFactory(metrics.registry()))
        .build();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(vertx, embedded), "flowstate-shutdown"));
    deployment.deploy(vertx, metrics).onFailure(e -> {
      System.err.println("flowstate: startup failed: " + e.getMessage());
      System.exit(1);
    });
  }

  private static void shutdown(Vertx vertx, List<AutoCloseable> embedded) {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("flowstate: shutdown did not finish cleanly: " + e.getMessage());
    }
    for (int i = embedded.size() - 1; i >= 0; i--) {
      try {
        embedded.get(i).close();
      } catch (Exception e) {
        System.err.println("flowstate: could not stop an embedded server: " + e.getMessage());
      }
    }
  }
}
