package io.flowstate.gateway.http;

import io.flowstate.gateway.access.AccessGuard;
import io.flowstate.gateway.account.AccountStore;
import io.flowstate.gateway.auth.TokenVerifier;
import io.flowstate.gateway.ws.WsEndpoint;
import io.flowstate.shared.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.HashSet;
import java.util.Set;

/**
 * Authentication and room permissions of the HTTP API, mounted by the OpenAPI router as the
 * handler of the contract's {@code bearer} security scheme: a valid, unrevoked access token
 * ({@code Authorization: Bearer}, or {@code access_token} for links such as exports), else 401;
 * without a token a guest may read room history when guest access is on (dev). {@link
 * #roomReader}: the caller is viewer or better on the room in the path (guests: open rooms only).
 * Users first seen through an identity provider's token get an account row, so that they can be
 * added to workspaces.
 */
public final class ApiAuth implements io.vertx.ext.web.handler.JWTAuthHandler {
  private final GatewayConfig config;
  private final TokenVerifier verifier;
  private final AccessGuard guard;
  private final AccountStore accounts;
  private final Set<String> knownUsers = new HashSet<>();

  public ApiAuth(GatewayConfig config, TokenVerifier verifier, AccessGuard guard, AccountStore accounts) {
    this.config = config;
    this.verifier = verifier;
    this.guard = guard;
    this.accounts = accounts;
  }

  /**
   * The security handler of the contract's {@code bearer} scheme: a token is required, except on
   * the room history routes, which guests may read when guest access is on.
   */
  @Override
  public void handle(RoutingContext ctx) {
    Object operation = ctx.currentRoute() == null ? null
        : ctx.currentRoute().getMetadata(io.vertx.ext.web.openapi.router.RouterBuilder.KEY_META_DATA_OPERATION);
    String id = operation instanceof io.vertx.openapi.contract.Operation op ? op.getOperationId() : "";
    if ("connect".equals(id)) {
      // The WebSocket handshake authenticates itself (guests, revocation, 401 before the upgrade).
      ctx.next();
      return;
    }
    authenticate(ctx, ApiRouter.ROOM_READS.contains(id) && config.guestAccess());
  }

  @Override
  public io.vertx.ext.web.handler.JWTAuthHandler scopeDelimiter(String delimiter) {
    throw new UnsupportedOperationException("FlowState's API has no OAuth scopes");
  }

  @Override
  public io.vertx.ext.web.handler.JWTAuthHandler withScope(String scope) {
    throw new UnsupportedOperationException("FlowState's API has no OAuth scopes");
  }

  @Override
  public io.vertx.ext.web.handler.JWTAuthHandler withScopes(java.util.List<String> scopes) {
    throw new UnsupportedOperationException("FlowState's API has no OAuth scopes");
  }

  /** Viewer or better on the room {@code id} of the path. */
  public void roomReader(RoutingContext ctx) {
    TokenVerifier.Identity caller = Caller.orNull(ctx);
    String room = ctx.pathParam("id");
    if (room == null || room.isEmpty()) {
      ctx.next();
      return;
    }
    guard.readRole(room, caller == null ? "" : caller.user().id()).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.next();
      } else {
        HttpErrors.send(ctx, ar.cause());
      }
    });
  }

  private void authenticate(RoutingContext ctx, boolean guestsPass) {
    String token = WsEndpoint.token(ctx.request());
    if (token == null || verifier == null) {
      if (guestsPass && token == null) {
        ctx.next();
      } else {
        HttpErrors.send(ctx, HttpErrors.unauthorized("a valid access token is required"));
      }
      return;
    }
    verifier.verify(token)
        .compose(guard::admit)
        .compose(id -> ensureAccount(id).map(id))
        .onComplete(ar -> {
          if (ar.failed()) {
            HttpErrors.send(ctx, HttpErrors.unauthorized("the access token is invalid, expired or revoked"));
            return;
          }
          ctx.put(Caller.KEY, ar.result());
          ctx.next();
        });
  }

  private Future<Void> ensureAccount(TokenVerifier.Identity id) {
    if (knownUsers.contains(id.user().id())) {
      return Future.succeededFuture();
    }
    return accounts.ensure(id.user(), id.email()).onSuccess(v -> {
      if (knownUsers.size() > 100_000) {
        knownUsers.clear();
      }
      knownUsers.add(id.user().id());
    });
  }
}
