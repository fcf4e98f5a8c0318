package io.flowstate.gateway.http;

import io.flowstate.gateway.auth.TokenVerifier;
import io.flowstate.shared.protocol.Json;
import io.vertx.ext.web.RoutingContext;

/**
 * Guards the HTTP API: with guest access on (dev) everything is open; otherwise a request needs a
 * valid access token ({@code Authorization: Bearer} or {@code access_token}), else 401 with a JSON
 * body. Per-room roles come with accounts and workspaces.
 */
public final class ApiAuth {
  private final boolean guestAccess;
  private final TokenVerifier verifier;

  public ApiAuth(boolean guestAccess, TokenVerifier verifier) {
    this.guestAccess = guestAccess;
    this.verifier = verifier;
  }

  public void handle(RoutingContext ctx) {
    if (guestAccess) {
      ctx.next();
      return;
    }
    String token = io.flowstate.gateway.ws.WsEndpoint.token(ctx.request());
    if (verifier == null || token == null) {
      refuse(ctx);
      return;
    }
    verifier.verify(token).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.next();
      } else {
        refuse(ctx);
      }
    });
  }

  private static void refuse(RoutingContext ctx) {
    ctx.response().setStatusCode(401).putHeader("content-type", "application/json")
        .end(Json.write(Json.object().put("code", "unauthorized").put("message", "a valid access token is required")));
  }
}
