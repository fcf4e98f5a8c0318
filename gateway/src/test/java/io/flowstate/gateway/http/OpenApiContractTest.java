package io.flowstate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.JWTAuthHandler;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.junit5.VertxExtension;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The OpenAPI contract of the HTTP API ({@code openapi.json} on the classpath): it loads through
 * vertx-openapi, names exactly the gateway's operations, builds a validating router, and that
 * router refuses malformed requests before any handler runs. It also pins down how vertx-openapi
 * 5.0 behaves where the gateway depends on it: validation failures reach the failure handler as
 * an {@link HttpException} 400 whose cause is the {@link ValidatorException}; a registered
 * security handler applies regardless of {@code setDoSecurity(false)}; a WebSocket upgrade only
 * works on a route without validation.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("The OpenAPI contract")
class OpenApiContractTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String CONTRACT = "openapi.json";
  private static final String ERROR_SCHEMA = "#/components/schemas/Error";

  /** Every operation the gateway serves; a route added without documentation (or vice versa) fails. */
  static final List<String> OPERATION_IDS = List.of(
      "signup", "login", "refresh", "logout", "logoutAll",
      "getMe", "updateMe",
      "listWorkspaces", "createWorkspace", "getWorkspace", "renameWorkspace", "deleteWorkspace",
      "listMembers", "addMember", "setMemberRole", "removeMember",
      "createInvite", "listInvites", "revokeInvite", "acceptInvite",
      "listCanvases", "createCanvas",
      "listMyCanvases", "getCanvas", "renameCanvas", "deleteCanvas", "setCanvasRole", "clearCanvasRole",
      "getRoomState", "getRoomOps", "exportSvg", "exportPng",
      "connect", "getOpenApi", "live", "ready", "metrics");

  /** The operations that need no access token. */
  static final Set<String> PUBLIC = Set.of(
      "signup", "login", "refresh", "logout", "getOpenApi", "live", "ready", "metrics");

  /** Routes whose handlers check their own parameters and token (guest access): no contract checks. */
  static final Set<String> SELF_CHECKED = Set.of(
      "getRoomState", "getRoomOps", "exportSvg", "exportPng", "connect");

  private static final String SECRET = "openapi-contract-test-secret-0123456789";

  @Test
  @DisplayName("loads and validates as an OpenAPI 3.1 document through OpenAPIContract.from")
  void loads(Vertx vertx) throws Exception {
    OpenAPIContract contract = await(OpenAPIContract.from(vertx, CONTRACT));

    assertThat(contract.getVersion()).isEqualTo(OpenAPIVersion.V3_1);
    assertThat(rawDocument().getString("openapi")).isEqualTo("3.1.0");
    assertThat(contract.securityScheme("bearer")).isNotNull();
    assertThat(contract.securityScheme("bearer").getType()).isEqualTo("http");
    assertThat(contract.securityScheme("bearer").getScheme()).isEqualTo("bearer");
  }

  @Test
  @DisplayName("names exactly the operations the gateway serves")
  void operationIds(Vertx vertx) throws Exception {
    OpenAPIContract contract = await(OpenAPIContract.from(vertx, CONTRACT));

    assertThat(OPERATION_IDS).doesNotHaveDuplicates();
    assertThat(PUBLIC).isSubsetOf(OPERATION_IDS);
    assertThat(contract.operations()).extracting(Operation::getOperationId)
        .containsExactlyInAnyOrderElementsOf(OPERATION_IDS);
  }

  @Test
  @DisplayName("builds a router with a route per operation once every route has a handler")
  void buildsRouter(Vertx vertx) throws Exception {
    OpenAPIContract contract = await(OpenAPIContract.from(vertx, CONTRACT));

    RouterBuilder unsecured = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    assertThat(unsecured.getRoutes()).extracting(route -> route.getOperation().getOperationId())
        .containsExactlyInAnyOrderElementsOf(OPERATION_IDS);
    unsecured.getRoutes().forEach(route -> route.addHandler(OpenApiContractTest::answerEmpty));
    assertThatThrownBy(unsecured::createRouter)
        .as("the bearer scheme needs a handler while security is on")
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("bearer");
    unsecured.getRoutes().forEach(route -> route.setDoSecurity(false));
    assertThat(operationsOf(unsecured.createRouter())).containsExactlyInAnyOrderElementsOf(OPERATION_IDS);

    RouterBuilder secured = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    secured.security("bearer").httpHandler(JWTAuthHandler.create(jwtAuth(vertx)));
    secured.getRoutes().forEach(route -> route.addHandler(OpenApiContractTest::answerEmpty));
    assertThat(operationsOf(secured.createRouter())).containsExactlyInAnyOrderElementsOf(OPERATION_IDS);
  }

  @Test
  @DisplayName("gives every operation a 4xx Error answer and a bearer requirement unless it is public")
  void errorsAndSecurity(Vertx vertx) throws Exception {
    OpenAPIContract contract = await(OpenAPIContract.from(vertx, CONTRACT));
    JsonObject doc = rawDocument();
    JsonObject paths = doc.getJsonObject("paths");

    Set<String> seen = new TreeSet<>();
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (method.equals("parameters")) {
          continue;
        }
        JsonObject operation = item.getJsonObject(method);
        String id = operation.getString("operationId");
        seen.add(id);
        assertThat(operation.getString("summary")).as("summary of %s", id).isNotBlank();
        assertThat(operation.getString("description")).as("description of %s", id).isNotBlank();

        JsonObject responses = operation.getJsonObject("responses");
        List<String> errors = responses.fieldNames().stream()
            .filter(status -> status.startsWith("4"))
            .filter(status -> usesErrorSchema(doc, responses.getJsonObject(status)))
            .toList();
        assertThat(errors).as("4xx answers of %s using the Error schema", id).isNotEmpty();

        JsonArray security = operation.getJsonArray("security");
        Operation parsed = contract.operation(id);
        if (PUBLIC.contains(id)) {
          assertThat(security).as("security of public %s", id).isEqualTo(new JsonArray());
          assertThat(parsed.getSecurityRequirements()).as("security of public %s", id).isEmpty();
        } else {
          assertThat(security).as("security of %s", id)
              .isEqualTo(new JsonArray().add(new JsonObject().put("bearer", new JsonArray())));
          assertThat(parsed.getSecurityRequirements()).as("security of %s", id).singleElement()
              .satisfies(requirement -> assertThat(requirement.getNames()).containsExactly("bearer"));
          assertThat(responses.containsKey("401")).as("%s documents 401", id).isTrue();
        }
      }
    }
    assertThat(seen).containsExactlyInAnyOrderElementsOf(OPERATION_IDS);
    assertThat(doc.containsKey("security")).as("no global security: each operation states its own").isFalse();
  }

  @Test
  @DisplayName("forbids unknown properties in request bodies only, never in responses")
  void additionalProperties() throws Exception {
    JsonObject doc = rawDocument();
    Set<String> requestSchemas = new HashSet<>();
    Set<String> responseSchemas = new HashSet<>();
    JsonObject paths = doc.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (method.equals("parameters")) {
          continue;
        }
        JsonObject operation = item.getJsonObject(method);
        JsonObject body = operation.getJsonObject("requestBody");
        if (body != null) {
          collectRefs(body, requestSchemas);
        }
        collectRefs(operation.getJsonObject("responses"), responseSchemas);
      }
    }
    collectRefs(doc.getJsonObject("components").getJsonObject("responses"), responseSchemas);
    JsonObject schemas = doc.getJsonObject("components").getJsonObject("schemas");
    int before;
    do {
      before = responseSchemas.size();
      for (String name : new ArrayList<>(responseSchemas)) {
        collectRefs(schemas.getJsonObject(name), responseSchemas);
      }
    } while (responseSchemas.size() > before);

    assertThat(requestSchemas).containsExactlyInAnyOrder("SignupRequest", "LoginRequest", "RefreshRequest",
        "ProfileUpdate", "NameRequest", "MemberAdd", "RoleRequest", "InviteCreate");
    for (String name : requestSchemas) {
      assertThat(schemas.getJsonObject(name).getValue("additionalProperties")).as(name).isEqualTo(false);
    }
    assertThat(responseSchemas).contains("Error", "User", "AuthSession", "Workspace", "Member", "Canvas",
        "Invite", "Role");
    for (String name : responseSchemas) {
      assertThat(schemas.getJsonObject(name).containsKey("additionalProperties")).as(name).isFalse();
    }
  }

  @Test
  @DisplayName("makes the router refuse malformed requests with 400 before the handlers run")
  void validatesRequests(Vertx vertx) throws Exception {
    JWTAuth jwt = jwtAuth(vertx);
    HttpServer server = await(vertx.createHttpServer().requestHandler(contractRouter(vertx, jwt))
        .listen(0, "127.0.0.1"));
    HttpClient client = vertx.createHttpClient();
    Caller call = new Caller(client, server.actualPort(),
        jwt.generateToken(new JsonObject().put("sub", "u1"), new JWTOptions().setExpiresInMinutes(5)));
    try {
      // Public operation: the validated body reaches the handler as a JsonObject.
      Answer signup = call.post("/v1/auth/signup", null,
          "{\"email\":\"ada@example.com\",\"password\":\"correct horse\"}");
      assertThat(signup.status()).as(signup.body()).isEqualTo(200);
      assertThat(signup.json().getJsonObject("body"))
          .isEqualTo(new JsonObject().put("email", "ada@example.com").put("password", "correct horse"));
      assertThat(signup.json().getString("operation")).isEqualTo("signup");

      Answer noEmail = call.post("/v1/auth/signup", null, "{\"password\":\"correct horse\"}");
      assertThat(noEmail.status()).isEqualTo(400);
      assertThat(noEmail.json().getString("failure")).isEqualTo("HttpException");
      assertThat(noEmail.json().getString("cause")).isEqualTo("SchemaValidationException");
      assertThat(noEmail.json().getString("type")).isEqualTo("INVALID_VALUE");
      assertThat(call.post("/v1/auth/signup", null, "{\"email\":\"ada@example.com\",\"password\":\"short\"}")
          .status()).as("password under 8 characters").isEqualTo(400);
      assertThat(call.post("/v1/auth/signup", null,
          "{\"email\":\"not-an-email\",\"password\":\"correct horse\"}").status())
          .as("format email is asserted").isEqualTo(400);
      assertThat(call.post("/v1/auth/signup", null,
          "{\"email\":\"ada@example.com\",\"password\":\"correct horse\",\"admin\":true}").status())
          .as("unknown property").isEqualTo(400);
      assertThat(call.post("/v1/auth/signup", null, "{\"email\":\"ada@example.com\",\"password\":").status())
          .as("malformed JSON").isEqualTo(400);
      assertThat(call.post("/v1/auth/signup", null, "[]").status()).as("not an object").isEqualTo(400);
      Answer empty = call.post("/v1/auth/signup", null, "");
      assertThat(empty.status()).as("missing body").isEqualTo(400);
      assertThat(empty.json().getString("type")).isEqualTo("MISSING_REQUIRED_PARAMETER");
      assertThat(call.request(HttpMethod.POST, "/v1/auth/signup", null, "text/plain",
          "{\"email\":\"ada@example.com\",\"password\":\"correct horse\"}").status())
          .as("not JSON").isEqualTo(400);
      assertThat(call.request(HttpMethod.POST, "/v1/auth/signup", null, null,
          "{\"email\":\"ada@example.com\",\"password\":\"correct horse\"}").status())
          .as("no content type").isEqualTo(400);
      assertThat(call.request(HttpMethod.POST, "/v1/auth/signup", null, "application/json; charset=utf-8",
          "{\"email\":\"ada@example.com\",\"password\":\"correct horse\"}").status())
          .as("JSON with a charset").isEqualTo(200);
      Answer tooLarge = call.post("/v1/auth/signup", null,
          "{\"email\":\"ada@example.com\",\"password\":\"" + "x".repeat(70_000) + "\"}");
      assertThat(tooLarge.status()).as("over the body limit").isEqualTo(413);
      assertThat(tooLarge.json().getString("failure")).as("BodyHandler fails with a bare status").isNull();
      assertThat(call.post("/v1/auth/login", null, "{\"email\":\"ada@example.com\",\"password\":\"x\"}")
          .status()).as("login does not check the password length").isEqualTo(200);

      // Bearer operations: the token gate (a root handler) runs before validation.
      assertThat(call.post("/v1/workspaces", null, "{\"name\":\"\"}").status())
          .as("no token, bad body").isEqualTo(401);
      assertThat(call.post("/v1/workspaces", call.token, "{\"name\":\"\"}").status())
          .as("empty name").isEqualTo(400);
      assertThat(call.post("/v1/workspaces", call.token, "{\"name\":\"" + "n".repeat(101) + "\"}").status())
          .as("name over 100 characters").isEqualTo(400);
      assertThat(call.post("/v1/workspaces", call.token, "{\"name\":\"Design\"}").status()).isEqualTo(200);
      assertThat(call.request(HttpMethod.PATCH, "/v1/me", call.token, "application/json", "{}").status())
          .as("empty profile update").isEqualTo(400);
      assertThat(call.request(HttpMethod.PATCH, "/v1/me", call.token, "application/json",
          "{\"color\":\"red\"}").status()).as("color not #rrggbb").isEqualTo(400);
      assertThat(call.request(HttpMethod.PATCH, "/v1/me", call.token, "application/json",
          "{\"color\":\"#A0b1C2\"}").status()).isEqualTo(200);
      assertThat(call.post("/v1/workspaces/w1/invites", call.token,
          "{\"role\":\"editor\",\"expiresInSeconds\":59}").status()).as("invite shorter than a minute")
          .isEqualTo(400);
      assertThat(call.post("/v1/workspaces/w1/invites", call.token, "{\"role\":\"admin\"}").status())
          .as("unknown role").isEqualTo(400);
      Answer invite = call.post("/v1/workspaces/w1/invites", call.token,
          "{\"role\":\"editor\",\"expiresInSeconds\":3600}");
      assertThat(invite.status()).isEqualTo(200);
      assertThat(invite.json().getJsonObject("path")).isEqualTo(new JsonObject().put("workspaceId", "w1"));
      assertThat(invite.json().getJsonObject("body").getInteger("expiresInSeconds")).isEqualTo(3600);
      assertThat(call.request(HttpMethod.GET, "/v1/workspaces/" + "w".repeat(129), call.token, null, null)
          .status()).as("workspace id over 128 characters").isEqualTo(400);
      assertThat(call.request(HttpMethod.PUT, "/v1/canvases/c1/roles/u2", call.token, "application/json",
          "{\"role\":\"viewer\"}").json().getJsonObject("path"))
          .isEqualTo(new JsonObject().put("canvasId", "c1").put("userId", "u2"));
      assertThat(call.post("/v1/auth/logout-all", call.token, null).status()).as("no body").isEqualTo(200);

      // vertx-openapi JSON-decodes parameter values that are not plain word characters before
      // checking their type: UUIDs stay strings, but "-12" or "1.5" become numbers.
      String uuid = "12345678-1234-1234-1234-123456789012";
      assertThat(call.request(HttpMethod.GET, "/v1/workspaces/" + uuid, call.token, null, null).json()
          .getJsonObject("path")).isEqualTo(new JsonObject().put("workspaceId", uuid));
      assertThat(call.request(HttpMethod.GET, "/v1/workspaces/1.5", call.token, null, null).status())
          .isEqualTo(400);

      // Room history and the WebSocket keep their own checks: validation is off on those routes,
      // so a decimal scale or any room id reaches the handler untouched.
      Answer png = call.request(HttpMethod.GET, "/v1/rooms/%5B1%5D/export.png?scale=0.5&version=", null,
          null, null);
      assertThat(png.status()).as(png.body()).isEqualTo(200);
      assertThat(png.json().getBoolean("validated")).isFalse();
      assertThat(call.request(HttpMethod.GET, "/v1/rooms/r1/state?version=-1", null, null, null).status())
          .isEqualTo(200);

      // Public operations without a body need nothing.
      assertThat(call.request(HttpMethod.GET, "/health/live", null, null, null).status()).isEqualTo(200);
      assertThat(call.request(HttpMethod.GET, "/v1/nowhere", null, null, null).status()).isEqualTo(404);
    } finally {
      await(client.close());
      await(server.close());
    }
  }

  @Test
  @DisplayName("applies a registered bearer handler even on routes with setDoSecurity(false)")
  void registeredSecurityHandlerAlwaysApplies(Vertx vertx) throws Exception {
    OpenAPIContract contract = await(OpenAPIContract.from(vertx, CONTRACT));
    RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    builder.rootHandler(BodyHandler.create().setBodyLimit(65536));
    builder.security("bearer").httpHandler(JWTAuthHandler.create(jwtAuth(vertx)));
    builder.getRoutes().forEach(route ->
        route.setDoSecurity(false).addHandler(OpenApiContractTest::answerEmpty));
    HttpServer server = await(vertx.createHttpServer().requestHandler(builder.createRouter())
        .listen(0, "127.0.0.1"));
    HttpClient client = vertx.createHttpClient();
    Caller call = new Caller(client, server.actualPort(), null);
    try {
      assertThat(call.request(HttpMethod.GET, "/v1/me", null, null, null).status()).isEqualTo(401);
      assertThat(call.request(HttpMethod.GET, "/v1/rooms/r1/state", null, null, null).status())
          .isEqualTo(401);
      assertThat(call.request(HttpMethod.GET, "/health/live", null, null, null).status()).isEqualTo(200);
    } finally {
      await(client.close());
      await(server.close());
    }
  }

  @Test
  @DisplayName("upgrades GET /v1/ws through the contract router when that route skips validation")
  void upgradesWebSocket(Vertx vertx) throws Exception {
    HttpServer server = await(vertx.createHttpServer().requestHandler(contractRouter(vertx, jwtAuth(vertx)))
        .listen(0, "127.0.0.1"));
    WebSocketClient client = vertx.createWebSocketClient();
    try {
      WebSocket ws = await(client.connect(server.actualPort(), "127.0.0.1", "/v1/ws?guest=g1&name=-1"));
      Promise<String> echo = Promise.promise();
      ws.textMessageHandler(echo::tryComplete);
      ws.writeTextMessage("ping");
      assertThat(await(echo.future())).isEqualTo("echo ping");
      await(ws.close());
    } finally {
      await(client.close());
      await(server.close());
    }
  }

  /**
   * The router as the gateway wires it: BodyHandler first, then a bearer gate that looks the
   * operation up in the contract (so a missing token is 401 before any 400), handlers that echo
   * what the validator handed over, and a failure handler answering {@code ctx.statusCode()}. The
   * room history routes and the WebSocket check their own token (guest access) and parameters.
   */
  private static Router contractRouter(Vertx vertx, JWTAuth jwt) throws Exception {
    OpenAPIContract contract = await(OpenAPIContract.from(vertx, CONTRACT));
    RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    builder.rootHandler(BodyHandler.create().setBodyLimit(65536));
    builder.rootHandler(ctx -> {
      Operation operation = contract.findOperation(ctx.request().path(), ctx.request().method());
      if (operation == null || operation.getSecurityRequirements().isEmpty()
          || SELF_CHECKED.contains(operation.getOperationId())) {
        ctx.next();
        return;
      }
      String authorization = ctx.request().getHeader("authorization");
      if (authorization == null || !authorization.startsWith("Bearer ")) {
        ctx.fail(401);
        return;
      }
      jwt.authenticate(new TokenCredentials(authorization.substring("Bearer ".length())))
          .onSuccess(user -> ctx.next())
          .onFailure(e -> ctx.fail(401, e));
    });
    for (OpenAPIRoute route : builder.getRoutes()) {
      String id = route.getOperation().getOperationId();
      route.setDoSecurity(false);
      if (SELF_CHECKED.contains(id)) {
        route.setDoValidation(false);
      }
      route.addHandler(id.equals("connect")
          ? OpenApiContractTest::echoWebSocket
          : OpenApiContractTest::echoValidated);
    }
    Router router = builder.createRouter();
    router.route().failureHandler(ctx -> {
      Throwable failure = ctx.failure();
      JsonObject answer = new JsonObject()
          .put("status", ctx.statusCode())
          .put("failure", failure == null ? null : failure.getClass().getSimpleName())
          .put("cause", failure == null || failure.getCause() == null ? null
              : failure.getCause().getClass().getSimpleName());
      if (failure instanceof HttpException http && http.getCause() instanceof ValidatorException invalid) {
        answer.put("type", invalid.type().name()).put("message", invalid.getMessage());
      }
      ctx.response().setStatusCode(ctx.statusCode()).putHeader("content-type", "application/json")
          .end(answer.encode());
    });
    return router;
  }

  private static void echoWebSocket(RoutingContext ctx) {
    ctx.request().toWebSocket()
        .onSuccess(ws -> ws.textMessageHandler(text -> ws.writeTextMessage("echo " + text)))
        .onFailure(ctx::fail);
  }

  private static void answerEmpty(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "application/json").end("{}");
  }

  /** Answers 200 with what the validator handed over: operation, path, query and body. */
  private static void echoValidated(RoutingContext ctx) {
    ValidatedRequest validated = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    JsonObject answer = new JsonObject()
        .put("operation", ((Operation) ctx.currentRoute().getMetadata(RouterBuilder.KEY_META_DATA_OPERATION))
            .getOperationId())
        .put("validated", validated != null);
    if (validated == null) {
      ctx.response().putHeader("content-type", "application/json").end(answer.encode());
      return;
    }
    answer
        .put("path", present(validated.getPathParameters()))
        .put("query", present(validated.getQuery()));
    RequestParameter body = validated.getBody();
    if (body != null && !body.isNull()) {
      answer.put("body", body.getJsonObject());
    }
    ctx.response().putHeader("content-type", "application/json").end(answer.encode());
  }

  private static JsonObject present(Map<String, RequestParameter> parameters) {
    JsonObject out = new JsonObject();
    parameters.forEach((name, value) -> {
      if (value != null && !value.isNull()) {
        out.put(name, value.get());
      }
    });
    return out;
  }

  private static List<String> operationsOf(Router router) {
    return router.getRoutes().stream()
        .map(route -> (Operation) route.getMetadata(RouterBuilder.KEY_META_DATA_OPERATION))
        .filter(operation -> operation != null)
        .map(Operation::getOperationId)
        .collect(Collectors.toList());
  }

  private static JWTAuth jwtAuth(Vertx vertx) {
    return JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
  }

  /** Whether an operation's answer (or the shared answer it references) carries the Error schema. */
  private static boolean usesErrorSchema(JsonObject doc, JsonObject response) {
    JsonObject resolved = response;
    String ref = response.getString("$ref");
    if (ref != null) {
      assertThat(ref).startsWith("#/components/responses/");
      resolved = doc.getJsonObject("components").getJsonObject("responses")
          .getJsonObject(ref.substring("#/components/responses/".length()));
      assertThat(resolved).as(ref).isNotNull();
    }
    JsonObject content = resolved.getJsonObject("content");
    if (content == null || content.getJsonObject("application/json") == null) {
      return false;
    }
    JsonObject schema = content.getJsonObject("application/json").getJsonObject("schema");
    return schema != null && ERROR_SCHEMA.equals(schema.getString("$ref"));
  }

  /** Adds the names of the component schemas referenced anywhere under {@code node}. */
  private static void collectRefs(Object node, Set<String> names) {
    if (node instanceof JsonObject object) {
      String ref = object.getString("$ref");
      if (ref != null && ref.startsWith("#/components/schemas/")) {
        names.add(ref.substring("#/components/schemas/".length()));
      }
      object.forEach(entry -> collectRefs(entry.getValue(), names));
    } else if (node instanceof JsonArray array) {
      array.forEach(value -> collectRefs(value, names));
    }
  }

  private static JsonObject rawDocument() throws IOException {
    try (InputStream in = OpenApiContractTest.class.getClassLoader().getResourceAsStream(CONTRACT)) {
      assertThat(in).as(CONTRACT + " on the classpath").isNotNull();
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  private record Answer(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private record Caller(HttpClient client, int port, String token) {
    Answer post(String path, String bearer, String body) throws Exception {
      return request(HttpMethod.POST, path, bearer, "application/json", body);
    }

    Answer request(HttpMethod method, String path, String bearer, String contentType, String body)
        throws Exception {
      return await(client.request(method, port, "127.0.0.1", path).compose(req -> {
        if (bearer != null) {
          req.putHeader("authorization", "Bearer " + bearer);
        }
        if (contentType != null) {
          req.putHeader("content-type", contentType);
        }
        return body == null ? req.send() : req.send(body);
      }).compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b.toString()))));
    }
  }
}
