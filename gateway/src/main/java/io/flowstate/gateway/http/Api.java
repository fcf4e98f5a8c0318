package io.flowstate.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/**
 * Adapts an HTTP API operation written as {@code RoutingContext -> Future<body>} to a route
 * handler: the body is answered as JSON with {@code status} (204 sends no body), any failure,
 * thrown or in the future, goes through {@link HttpErrors#send} as {@code {code, message}}.
 */
public final class Api {
  private Api() {
  }

  public static Handler<RoutingContext> of(int status, Function<RoutingContext, Future<?>> operation) {
    return ctx -> {
      Future<?> result;
      try {
        result = operation.apply(ctx);
      } catch (RuntimeException e) {
        HttpErrors.send(ctx, e);
        return;
      }
      result.onComplete(ar -> {
        if (ar.failed()) {
          HttpErrors.send(ctx, ar.cause());
        } else if (status == 204) {
          HttpErrors.noContent(ctx);
        } else {
          HttpErrors.json(ctx, status, ar.result());
        }
      });
    };
  }

  /** The request's JSON object body (validated against the OpenAPI contract before this runs). */
  public static io.vertx.core.json.JsonObject body(RoutingContext ctx) {
    io.vertx.core.json.JsonObject body = ctx.body() == null ? null : ctx.body().asJsonObject();
    if (body == null) {
      throw HttpErrors.badRequest("a JSON object body is required");
    }
    return body;
  }
}
