package io.flowstate.bench;

import io.flowstate.gateway.GatewayVerticle;
import io.flowstate.sequencer.SequencerVerticle;
import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.shared.config.SequencerConfig;
import io.flowstate.testkit.TestInfra;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * FlowState inside the test JVM (one sequencer, two gateways, guest access, limits raised) on
 * the testkit's Redis and a fresh PostgreSQL database. "Killing" a gateway undeploys it (its
 * drain closes every socket), "restarting" deploys a new one.
 */
final class InJvmTarget implements Target {
  private final Vertx vertx = Vertx.vertx();
  private final String redisUrl = TestInfra.redisUrl();
  private final String pgUrl = TestInfra.pgUrl();
  private final String prefix = "b" + UUID.randomUUID().toString().substring(0, 8);
  private final List<GatewayVerticle> gateways = new ArrayList<>();
  private final List<String> deployments = new ArrayList<>();

  InJvmTarget(int gatewayCount) {
    Bench.await(vertx.deployVerticle(new SequencerVerticle(SequencerConfig.builder().stores(redisUrl, pgUrl)
        .redisPrefix(prefix).guestAccess(true).build())), Duration.ofSeconds(30));
    for (int i = 0; i < gatewayCount; i++) {
      gateways.add(null);
      deployments.add(null);
      restart(i);
    }
  }

  @Override
  public List<String> gateways() {
    return gateways.stream().map(g -> "127.0.0.1:" + g.port()).toList();
  }

  @Override
  public String pgUrl() {
    return pgUrl;
  }

  @Override
  public String redisUrl() {
    return redisUrl;
  }

  @Override
  public boolean canKill() {
    return true;
  }

  @Override
  public void kill(int i) {
    Bench.await(vertx.undeploy(deployments.get(i)), Duration.ofSeconds(30));
  }

  @Override
  public void restart(int i) {
    GatewayVerticle gateway = new GatewayVerticle(GatewayConfig.builder().gatewayId(prefix + "-gw" + i)
        .http("127.0.0.1", 0).stores(redisUrl, pgUrl).redisPrefix(prefix).guestAccess(true)
        .maxConnections(1000, 1_000_000).opsRate(new GatewayConfig.Rate(100_000, 100_000))
        .drainDeadlineMs(500).build());
    deployments.set(i, Bench.await(vertx.deployVerticle(gateway), Duration.ofSeconds(30)));
    gateways.set(i, gateway);
  }

  @Override
  public String describe() {
    return "in-JVM FlowState (test)";
  }

  @Override
  public void close() {
    Bench.await(vertx.close(), Duration.ofSeconds(30));
  }
}
