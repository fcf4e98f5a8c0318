package io.flowstate.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The gateway's HTTP routes, built from the OpenAPI contract ({@code openapi.json}, served at
 * {@code /v1/openapi.json}): every operation of the contract gets its handler by operationId (a
 * missing handler fails the start, so the document and the code cannot drift apart), requests are
 * validated against the contract before the handler runs (bodies up to the configured limit), and
 * operations that declare security get the token check first. Failures answer
 * {@code {code, message}} with the right status.
 */
public final class ApiRouter {
  public static final String CONTRACT = "openapi.json";

  /** Operations whose handlers do their own parameter checks (or upgrade to WebSocket). */
  private static final Set<String> SELF_VALIDATING = Set.of("connect", "getRoomState", "getRoomOps", "exportSvg",
      "exportPng");
  /** Operations readable by guests when guest access is on; the rest need a token. */
  static final Set<String> ROOM_READS = Set.of("getRoomState", "getRoomOps", "exportSvg", "exportPng");

  private ApiRouter() {
  }

  /**
   * A router for every operation of the contract, then {@code fallback} (the static web app) for
   * anything else. Fails when an operation has no handler or a handler no operation.
   */
  public static Future<Router> create(Vertx vertx, Map<String, Handler<RoutingContext>> handlers, ApiAuth auth,
      int maxBodyBytes, Handler<RoutingContext> fallback) {
    return OpenAPIContract.from(vertx, CONTRACT).map(contract -> {
      RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
      BodyHandler bodies = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
      // Every request is read to its end before it is answered (a request left half-read would
      // stall the next one on a keep-alive connection), except the WebSocket upgrade.
      builder.rootHandler(ctx -> {
        if (ctx.request().canUpgradeToWebSocket()) {
          ctx.next();
        } else {
          bodies.handle(ctx);
        }
      });
      builder.security("bearer").httpHandler(auth);
      Set<String> unused = new TreeSet<>(handlers.keySet());
      for (OpenAPIRoute route : builder.getRoutes()) {
        String id = route.getOperation().getOperationId();
        Handler<RoutingContext> handler = handlers.get(id);
        if (handler == null) {
          throw new IllegalStateException("operation '" + id + "' of " + CONTRACT + " has no handler");
        }
        unused.remove(id);
        if (SELF_VALIDATING.contains(id)) {
          route.setDoValidation(false);
        }
        if (ROOM_READS.contains(id)) {
          route.addHandler(auth::roomReader);
        }
        route.addHandler(handler);
        route.addFailureHandler(ApiRouter::failure);
      }
      if (!unused.isEmpty()) {
        throw new IllegalStateException("handlers without an operation in " + CONTRACT + ": " + unused);
      }
      Router router = builder.createRouter();
      router.route().handler(fallback);
      return router;
    });
  }

  /** The contract operations' (method, path) pairs, for tests that compare them with the routes. */
  public static List<String> describe(OpenAPIContract contract) {
    return contract.operations().stream().map(o -> o.getHttpMethod() + " " + o.getOpenAPIPath()).sorted().toList();
  }

  private static void failure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    int status = ctx.statusCode();
    if (failure instanceof HttpException http) {
      status = http.getStatusCode();
    }
    if (status == 401) {
      HttpErrors.send(ctx, HttpErrors.unauthorized("a valid access token is required"));
    } else if (status == 413) {
      HttpErrors.send(ctx, new HttpErrors.ApiException(413, "too_large", "the request body is over the limit"));
    } else if (status == 400) {
      // Validation failures arrive as HttpException(400) whose cause is the ValidatorException.
      Throwable detail = failure instanceof HttpException && failure.getCause() != null ? failure.getCause() : failure;
      String message = detail == null || detail.getMessage() == null ? "the request does not match the API"
          : detail.getMessage();
      HttpErrors.send(ctx, HttpErrors.badRequest(message.length() > 300 ? message.substring(0, 300) : message));
    } else if (failure != null) {
      HttpErrors.send(ctx, failure);
    } else {
      HttpErrors.send(ctx, new HttpErrors.ApiException(status > 0 ? status : 500, status == 404 ? "not_found" : "internal",
          status == 404 ? "no such resource" : "request failed"));
    }
  }
}
