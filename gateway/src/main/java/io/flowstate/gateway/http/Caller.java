package io.flowstate.gateway.http;

import io.flowstate.gateway.auth.TokenVerifier;
import io.vertx.ext.web.RoutingContext;

/** The authenticated caller of an HTTP API request, as {@link ApiAuth} left it on the context. */
public final class Caller {
  static final String KEY = "flowstate.identity";

  private Caller() {
  }

  /** The caller's identity; 401 when the request carried no valid token. */
  public static TokenVerifier.Identity of(RoutingContext ctx) {
    TokenVerifier.Identity identity = ctx.get(KEY);
    if (identity == null) {
      throw HttpErrors.unauthorized("a valid access token is required");
    }
    return identity;
  }

  /** The caller's user id. */
  public static String id(RoutingContext ctx) {
    return of(ctx).user().id();
  }

  /** The caller's identity, or null for a guest (guest access on, no token). */
  public static TokenVerifier.Identity orNull(RoutingContext ctx) {
    return ctx.get(KEY);
  }
}
