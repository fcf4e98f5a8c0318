package io.flowstate.gateway.http;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code /health/live} (the process answers) and {@code /health/ready} (it can serve: not
 * draining, Redis links up, PostgreSQL answering). Ready is 503 with the failing checks listed.
 */
public final class HealthHandler {
  private final BooleanSupplier draining;
  private final BooleanSupplier redisUp;
  private final Supplier<Future<Void>> pgCheck;

  public HealthHandler(BooleanSupplier draining, BooleanSupplier redisUp, Supplier<Future<Void>> pgCheck) {
    this.draining = draining;
    this.redisUp = redisUp;
    this.pgCheck = pgCheck;
  }

  public void live(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "application/json").end("{\"status\":\"UP\"}");
  }

  public void ready(RoutingContext ctx) {
    boolean redis = redisUp.getAsBoolean();
    boolean drain = draining.getAsBoolean();
    pgCheck.get().transform(ar -> Future.succeededFuture(ar.succeeded())).onSuccess(pg -> {
      boolean up = redis && pg && !drain;
      String body = "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"checks\":{\"redis\":" + redis
          + ",\"postgres\":" + pg + ",\"draining\":" + drain + "}}";
      ctx.response().setStatusCode(up ? 200 : 503).putHeader("content-type", "application/json").end(body);
    });
  }
}
