package io.flowstate.app;

import static io.flowstate.app.TestCluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.shared.protocol.Json;
import io.flowstate.testkit.WsTestClient;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A seeded fuzzing client against one gateway. The seed is printed; re-run a failure with
 * {@code -Dfuzz.seed=<seed>}. Frames are generated as JSON text (so they can hold what a JSON
 * library would not write: huge number literals, duplicate keys, truncations).
 */
@DisplayName("A fuzzing client gets only documented replies and disturbs nobody")
class FuzzTest {
  static final Set<String> FRAME_TYPES = Set.of("welcome", "joined", "op", "ack", "presence", "presence_left",
      "members", "chat", "resync", "error", "left");
  static final Set<String> ERROR_CODES = Set.of("bad_request", "invalid_op", "not_found", "conflict", "forbidden",
      "not_joined", "rate_limited", "too_large", "nothing_to_undo", "nothing_to_redo", "unknown_command",
      "unavailable", "internal");
  static final Set<Integer> CLOSE_CODES = Set.of(1009, 4029, 1001, 4008, 1008, 1011, 1013);

  private static final int MAX_FRAMES = 4_000;
  private static final Duration FUZZ_BUDGET = Duration.ofSeconds(15);
  private static final int MAX_FRAME_BYTES = 64 * 1024;
  private static final int ROOMS = 4;

  private TestCluster cluster;
  private final ExecutorService pairThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "fuzz-pair"));

  @AfterEach
  void stop() {
    pairThread.shutdownNow();
    if (cluster != null) {
      cluster.close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The fuzz

  @Test
  @DisplayName("thousands of random, truncated and mutated frames get only documented frames and error codes "
      + "(never internal), close only with documented codes, while a well-behaved pair in another room keeps "
      + "committing in order without a gap; afterwards the gateway is live, ready and serves a fresh client")
  void fuzz() throws Exception {
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    System.out.println("FuzzTest seed: " + seed + " (re-run with -Dfuzz.seed=" + seed + ")");
    GatewayConfig.Rate unlimited = new GatewayConfig.Rate(100_000, 100_000);
    cluster = TestCluster.start(1, b -> b.opsRate(unlimited).presenceRate(unlimited).chatRate(unlimited)
        .maxFrameBytes(MAX_FRAME_BYTES).maxOpBytes(48 * 1024).opTimeoutMs(3_000));

    List<String> unhandled = java.util.Collections.synchronizedList(new ArrayList<>());
    cluster.vertx.exceptionHandler(t -> unhandled.add(t + " at " + java.util.Arrays.stream(t.getStackTrace())
        .limit(8).map(String::valueOf).collect(java.util.stream.Collectors.joining(" < "))));
    List<String> rooms = new ArrayList<>();
    for (int i = 0; i < ROOMS; i++) {
      rooms.add("fuzz-" + cluster.prefix + "-" + i);
    }
    String quietRoom = "pair-" + cluster.prefix;
    WsTestClient alice = cluster.connect(0, "alice");
    WsTestClient bob = cluster.connect(0, "bob");
    TestCluster.join(alice, quietRoom, null);
    TestCluster.join(bob, quietRoom, null);
    AtomicBoolean fuzzing = new AtomicBoolean(true);
    Future<Integer> pair = pairThread.submit(() -> {
      try {
        return wellBehavedPair(alice, bob, quietRoom, fuzzing);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\n  op log of " + quietRoom + ": " + lastOps(quietRoom), e);
      }
    });

    Generator gen = new Generator(new Random(seed), rooms);
    List<WsTestClient> fuzzers = new ArrayList<>();
    Map<String, Integer> closes = new TreeMap<>();
    WsTestClient fuzzer = fuzzConnection(rooms, fuzzers);
    long deadline = System.nanoTime() + FUZZ_BUDGET.toNanos();
    int sent = 0;
    long bytes = 0;
    while (sent < MAX_FRAMES && System.nanoTime() < deadline) {
      if (fuzzer.isClosed()) {
        closes.merge(String.valueOf(fuzzer.awaitClose(WAIT)), 1, Integer::sum);
        try {
          fuzzer = fuzzConnection(rooms, fuzzers);
        } catch (AssertionError e) {
          // Closed while setting up (its close code is checked at the end): try a new one.
          WsTestClient last = fuzzers.get(fuzzers.size() - 1);
          if (!closedWithin(last, Duration.ofSeconds(5))) {
            throw e;
          }
          fuzzer = last;
          continue;
        }
      }
      String frame = gen.frame();
      try {
        fuzzer.send(frame);
      } catch (RuntimeException | AssertionError e) {
        // The server closed the connection under our feet (e.g. 1009); the close is checked above.
        fuzzer.awaitClose(WAIT);
        continue;
      }
      sent++;
      bytes += frame.length();
      if (pair.isDone()) {
        break; // the pair failed; its error is reported below
      }
    }
    System.out.printf("FuzzTest: sent %d frames (%d chars) in %d ms on %d connection(s); closes %s%n", sent, bytes,
        FUZZ_BUDGET.toMillis() - (deadline - System.nanoTime()) / 1_000_000, fuzzers.size(), closes);

    // FIFO per connection and room: once this op is back, every earlier op frame was handled. The
    // last fuzz frame may have been one that closes the connection; then the check runs on a new one.
    String sentinel = "sentinel-" + Long.toHexString(seed);
    JsonNode echo = null;
    for (int attempt = 1; echo == null; attempt++) {
      try {
        if (fuzzer.isClosed()) {
          closes.merge(String.valueOf(fuzzer.awaitClose(WAIT)), 1, Integer::sum);
          fuzzer = fuzzConnection(rooms, fuzzers);
        }
        echo = sentinel(fuzzer, rooms.get(0), sentinel);
      } catch (AssertionError e) {
        if (attempt >= 3 || !closedWithin(fuzzer, Duration.ofSeconds(5))) {
          throw e;
        }
      }
    }
    assertThat(echo.path("type").asText()).as("the fuzzed connection still commits: %s", echo).isEqualTo("op");
    fuzzing.set(false);
    int rounds = pairResult(pair);
    System.out.printf("FuzzTest: the well-behaved pair committed %d ops meanwhile%n", 2 * rounds);
    assertThat(rounds).as("the pair kept working during the fuzz").isGreaterThan(10);

    HttpClient http = cluster.vertx.createHttpClient();
    assertThat(status(http, "/health/live")).isEqualTo(200);
    assertThat(status(http, "/health/ready")).isEqualTo(200);
    WsTestClient fresh = cluster.connect(0, "fresh");
    String freshRoom = "fresh-" + cluster.prefix;
    assertThat(TestCluster.join(fresh, freshRoom, null).path("version").asLong()).isZero();
    TestCluster.sendOp(fresh, freshRoom, "fresh-op", TestCluster.createRect("f", 1, 1));
    JsonNode freshEvent = fresh.next(WAIT);
    while ("members".equals(freshEvent.path("type").asText())) {
      freshEvent = fresh.next(WAIT);
    }
    assertThat(freshEvent.path("type").asText()).as("fresh client's op: %s", freshEvent).isEqualTo("op");
    assertThat(freshEvent.path("version").asLong()).isEqualTo(1);

    for (String room : rooms) {
      String path = "/v1/rooms/" + java.net.URLEncoder.encode(room, StandardCharsets.UTF_8) + "/state";
      String[] body = new String[1];
      int code = cluster.block(http.request(HttpMethod.GET, cluster.port(0), "127.0.0.1", path)
          .compose(req -> req.send()).compose(resp -> resp.body().map(b -> {
            body[0] = b.toString();
            return resp.statusCode();
          })));
      assertThat(code).as("the state of fuzzed room %s can be rebuilt from its op log: %s", room,
          abbreviate(String.valueOf(body[0]))).isIn(200, 404);
    }

    Map<String, Integer> codes = new TreeMap<>();
    Map<String, Integer> types = new TreeMap<>();
    List<String> violations = new ArrayList<>();
    for (WsTestClient c : fuzzers) {
      checkFrames(c, types, codes, violations);
      if (c.isClosed()) {
        int code = c.awaitClose(WAIT);
        if (!CLOSE_CODES.contains(code)) {
          violations.add("closed with undocumented code " + code + " (" + c.closeReason() + ")");
        }
      }
    }
    System.out.printf("FuzzTest: reply types %s; error codes %s%n", types, codes);
    assertThat(violations).as("protocol violations seen by the fuzzer (seed %d)", seed).isEmpty();
    assertThat(codes).as("errors the fuzz must provoke").containsKeys("bad_request", "invalid_op", "not_joined");
    assertThat(codes).as("no internal errors (seed %d)", seed).doesNotContainKey("internal");
    List<String> unavailable = new ArrayList<>();
    fuzzers.forEach(c -> c.all().stream().filter(f -> "unavailable".equals(f.path("code").asText(null)))
        .forEach(f -> unavailable.add(abbreviate(f.toString()))));
    assertThat(unavailable).as("with the ordering service up nothing is unavailable (seed %d)", seed).isEmpty();
    List<String> escaped = new ArrayList<>(unhandled);
    assertThat(escaped).as("exceptions that escaped to the gateway's event loop (seed %d)", seed).isEmpty();
  }

  private static boolean closedWithin(WsTestClient c, Duration timeout) {
    try {
      c.awaitClose(timeout);
      return true;
    } catch (AssertionError stillOpen) {
      return false;
    }
  }

  private static JsonNode sentinel(WsTestClient fuzzer, String room, String id) {
    fuzzer.send(Json.object().put("type", "join").put("room", room).put("rid", "sentinel-join"));
    JsonNode joined = fuzzer.await(f -> "sentinel-join".equals(f.path("rid").asText(null)), WAIT);
    assertThat(joined.path("type").asText()).as("the fuzzed connection still joins: %s", joined).isEqualTo("joined");
    TestCluster.sendOp(fuzzer, room, id, TestCluster.createRect(id, 0, 0));
    return fuzzer.await(f -> id.equals(f.path("id").asText(null)) || ("r-" + id).equals(f.path("rid").asText(null)),
        WAIT);
  }

  /** Opens a fuzzing connection and joins the fuzz rooms. */
  private WsTestClient fuzzConnection(List<String> rooms, List<WsTestClient> all) {
    WsTestClient c = cluster.connect(0, "fuzzer");
    all.add(c);
    for (String room : rooms) {
      c.send(Json.object().put("type", "join").put("room", room).put("rid", "setup-" + room));
    }
    for (String room : rooms) {
      JsonNode joined = c.await(f -> ("setup-" + room).equals(f.path("rid").asText(null)), WAIT);
      assertThat(joined.path("type").asText()).as("setup join: %s", joined).isEqualTo("joined");
    }
    return c;
  }

  /**
   * Checks every frame one fuzzing connection received: a JSON object of a documented type, every
   * error with a documented code and a message, and, per room, op events that continue the version
   * of the last {@code joined} without gap or repeat until the room is left or resynced.
   */
  private static void checkFrames(WsTestClient c, Map<String, Integer> types, Map<String, Integer> codes,
      List<String> violations) {
    Map<String, Long> expected = new HashMap<>();
    for (JsonNode f : c.all()) {
      if (!f.isObject()) {
        violations.add("not a JSON object: " + abbreviate(f.toString()));
        continue;
      }
      String type = f.path("type").asText("<none>");
      types.merge(type, 1, Integer::sum);
      if (!FRAME_TYPES.contains(type)) {
        violations.add("undocumented frame type: " + abbreviate(f.toString()));
        continue;
      }
      String room = f.path("room").asText(null);
      switch (type) {
        case "error" -> {
          String code = f.path("code").asText("<none>");
          codes.merge(code, 1, Integer::sum);
          if (!ERROR_CODES.contains(code) || !f.path("message").isTextual()) {
            violations.add("undocumented error: " + abbreviate(f.toString()));
          }
        }
        case "joined" -> expected.put(room, f.path("version").asLong() + 1);
        case "left", "resync" -> expected.remove(room);
        case "op" -> {
          Long next = expected.get(room);
          long version = f.path("version").asLong();
          if (next == null) {
            violations.add("op event of a room not streamed to this connection: " + abbreviate(f.toString()));
          } else if (version != next) {
            violations.add("room " + room + ": expected version " + next + ", got " + abbreviate(f.toString()));
          } else {
            expected.put(room, next + 1);
          }
        }
        default -> {
        }
      }
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "…(" + s.length() + " chars)" : s;
  }

  private int status(HttpClient http, String path) {
    return cluster.block(http.request(HttpMethod.GET, cluster.port(0), "127.0.0.1", path)
        .compose(req -> req.send()).map(HttpClientResponse::statusCode));
  }

  // ---------------------------------------------------------------------------------------------
  // The well-behaved pair

  /**
   * Alice and Bob each commit one op per round in their own room; both must see every op of the
   * room once, in version order with no gap, and never an error. Runs until the fuzz is over.
   * Returns the number of rounds.
   */
  private static int wellBehavedPair(WsTestClient alice, WsTestClient bob, String room, AtomicBoolean fuzzing) {
    TestCluster.sendOp(alice, room, "a-0", TestCluster.createRect("a", 0, 0));
    TestCluster.sendOp(bob, room, "b-0", TestCluster.createRect("b", 0, 0));
    long[] last = {0, 0};
    List<String> aliceIds = new ArrayList<>();
    List<String> bobIds = new ArrayList<>();
    takeOps(alice, 2, last, 0, aliceIds);
    takeOps(bob, 2, last, 1, bobIds);
    int round = 0;
    while (fuzzing.get() || round < 3) {
      round++;
      TestCluster.sendOp(alice, room, "a-" + round, TestCluster.move("a", round, -round));
      TestCluster.sendOp(bob, room, "b-" + round, TestCluster.move("b", -round, round));
      takeOps(alice, 2, last, 0, aliceIds);
      takeOps(bob, 2, last, 1, bobIds);
    }
    assertThat(aliceIds).as("both members see the same ops in the same order").isEqualTo(bobIds);
    assertThat(aliceIds).hasSize(2 * (round + 1)).doesNotHaveDuplicates();
    return round;
  }

  /** Consumes frames until {@code count} op events arrived, each the next version; fails on any error. */
  private static void takeOps(WsTestClient c, int count, long[] last, int who, List<String> ids) {
    int got = 0;
    while (got < count) {
      JsonNode f = c.next(WAIT);
      String type = f.path("type").asText();
      if (type.equals("members") || type.equals("presence") || type.equals("presence_left")) {
        continue;
      }
      assertThat(type).as("the well-behaved client got %s", f).isEqualTo("op");
      assertThat(f.path("version").asLong()).as("no gap, no repeat: %s", f).isEqualTo(last[who] + 1);
      last[who]++;
      ids.add(f.path("id").asText());
      got++;
    }
  }

  /** The newest committed ops of a room, straight from PostgreSQL, for failure messages. */
  private String lastOps(String room) {
    try {
      List<String> rows = new ArrayList<>();
      cluster.block(cluster.pool().preparedQuery("SELECT version, client_op_id FROM ops WHERE room = $1"
          + " ORDER BY version DESC LIMIT 4").execute(io.vertx.sqlclient.Tuple.of(room)))
          .forEach(row -> rows.add("v" + row.getLong("version") + "=" + row.getString("client_op_id")));
      return rows.toString();
    } catch (RuntimeException | AssertionError e) {
      return "unreadable: " + e;
    }
  }

  private static int pairResult(Future<Integer> pair) throws Exception {
    try {
      return pair.get(WAIT.toSeconds() * 3, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AssertionError a) {
        throw a;
      }
      throw e;
    } catch (TimeoutException e) {
      throw new AssertionError("the well-behaved pair did not finish", e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Default limits

  @Test
  @DisplayName("at the default limits, floods of valid ops, presence and chat are cut by rate_limited and by "
      + "nothing else, and the connection stays open")
  void defaultLimitsFlood() {
    cluster = TestCluster.start(1);
    String room = "flood-" + cluster.prefix;
    WsTestClient flooder = cluster.connect(0, "flooder");
    TestCluster.join(flooder, room, null);

    int ops = 1_000;
    for (int i = 0; i < ops; i++) {
      TestCluster.sendOp(flooder, room, "f-" + i, i == 0 ? TestCluster.createRect("s", 0, 0)
          : TestCluster.move("s", i, i));
    }
    for (int i = 0; i < 200; i++) {
      flooder.send(Json.object().put("type", "presence").put("room", room).put("rid", "p-" + i)
          .set("state", Json.object().put("x", i)));
    }
    for (int i = 0; i < 40; i++) {
      flooder.send(Json.object().put("type", "chat").put("room", room).put("rid", "c-" + i).put("text", "hi " + i));
    }
    // Frames are handled in order and these errors are sent at once: when the answer to this unknown
    // command is here, so is every synchronous rate_limited before it.
    flooder.send(Json.object().put("type", "chat").put("room", room).put("rid", "sentinel").put("text", "/sentinel"));
    assertThat(flooder.await(f -> "sentinel".equals(f.path("rid").asText(null)), WAIT).path("code").asText())
        .isEqualTo("unknown_command");
    flooder.await(f -> count(flooder, "op", null) + count(flooder, "error", "r-f-") == ops, WAIT);
    flooder.await(f -> count(flooder, "chat", null) + count(flooder, "error", "c-") == 40, WAIT);
    Map<String, Integer> outcomes = new LinkedHashMap<>();
    List<Long> versions = new ArrayList<>();
    for (JsonNode f : flooder.all()) {
      String type = f.path("type").asText();
      if (type.equals("error") && !"sentinel".equals(f.path("rid").asText(null))) {
        outcomes.merge("error " + f.path("code").asText() + " " + f.path("rid").asText("").replaceAll("-\\d+$", ""),
            1, Integer::sum);
      } else if (type.equals("op")) {
        versions.add(f.path("version").asLong());
      }
    }
    System.out.printf("FuzzTest: default-limit flood: %d ops committed; errors %s%n", versions.size(), outcomes);
    assertThat(outcomes.keySet()).as("only rate_limited").allMatch(k -> k.startsWith("error rate_limited "));
    assertThat(outcomes).containsKeys("error rate_limited r-f", "error rate_limited p", "error rate_limited c");
    assertThat(versions.size()).as("at least the burst of 200 ops commits").isGreaterThanOrEqualTo(200)
        .isLessThan(ops);
    for (int i = 0; i < versions.size(); i++) {
      assertThat(versions.get(i)).isEqualTo(i + 1L);
    }
    assertThat(flooder.isClosed()).isFalse();
  }

  private static long count(WsTestClient c, String type, String ridPrefix) {
    return c.all().stream().filter(f -> type.equals(f.path("type").asText())
        && (ridPrefix == null || f.path("rid").asText("").startsWith(ridPrefix))).count();
  }

  // ---------------------------------------------------------------------------------------------
  // Frame generator

  /** Generates fuzz frames as JSON text. Deterministic for a seed. */
  static final class Generator {
    private static final String[] TYPES = {"join", "leave", "op", "undo", "redo", "presence", "chat"};
    private static final String[] KINDS = {"create_shape", "update_shape", "move_shape", "resize_shape",
        "delete_shape", "batch"};
    private static final String[] SHAPE_TYPES = {"rect", "ellipse", "line", "arrow", "text", "sticky", "path"};
    private static final String[] SHAPE_FIELDS = {"id", "type", "x", "y", "w", "h", "rotation", "z", "style",
        "text", "points"};
    private static final String[] STYLE_FIELDS = {"stroke", "fill", "strokeWidth", "opacity", "fontSize"};
    private static final String[] NUMBERS = {"0", "-0", "1", "-1", "0.5", "1e308", "-1e308", "1e400", "-1e400",
        "5e-324", "1.7976931348623157E308", "9007199254740993", "-9223372036854775808", "9223372036854775807",
        "18446744073709551616", "123456789012345678901234567890123456789", "1E-400", "0.1e1", "3.14159",
        "2147483648", "-2147483649", "1e-7", "100000000000000000000000000000000000000000000000000000000"};
    private static final String[] CHAT = {"/shrug", "/shrug meh", "/me", "/me waves", "/ME dances", "/who",
        "/WHO", "/dance", "//literal", "/", "/ ", " /who", "hello", ""};
    private static final String[] ODD_CHARS = {"\u00e9", "\u20ac", "\uD83D\uDE00", "\uD83C\uDFF3\uFE0F\u200D\uD83C\uDF08",
        "\u202E", "\u200B", "\uFEFF", "\uFFFD", "\uFFFF", "\uFFFE", "\u0301", "\u4E2D", "\u05D0", "\u0627",
        "\uD800\uDC00", "\uDBFF\uDFFF", "\u2028", "\u2029", "\u00A0", "\\", "\"", "/", "{", "}", "[", "]", ":",
        ",", "'", "<script>", "%00", "${x}", "\\u0041"};

    private final Random r;
    private final List<String> rooms;
    private int serial;

    Generator(Random random, List<String> rooms) {
      this.r = random;
      this.rooms = rooms;
    }

    String frame() {
      int p = r.nextInt(100);
      if (p < 6) {
        return randomBytes();
      } else if (p < 12) {
        return value(0);
      } else if (p < 26) {
        return mutate(p < 20 ? validFrame() : message());
      } else if (p < 56) {
        return message();
      } else if (p < 70) {
        return opFrame(room(), op(0));
      } else if (p < 84) {
        return opFrame(room(), saneOp(0));
      } else if (p < 90) {
        return undoRedo();
      } else if (p < 94) {
        return deep();
      } else {
        return huge();
      }
    }

    private String randomBytes() {
      byte[] bytes = new byte[r.nextInt(r.nextBoolean() ? 32 : 2_000)];
      r.nextBytes(bytes);
      if (r.nextBoolean() && bytes.length > 0) {
        bytes[0] = '{';
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A well-formed frame of a random type, as a client would send it. */
    private String validFrame() {
      return switch (r.nextInt(7)) {
        case 0 -> obj("type", str("join"), "room", str(room()), "rid", str(rid()), "since",
            r.nextBoolean() ? String.valueOf(r.nextInt(50)) : null);
        case 1 -> obj("type", str("presence"), "room", str(room()), "state",
            obj("cursor", obj("x", number(), "y", number())));
        case 2 -> obj("type", str("chat"), "room", str(room()), "text", str(pick(CHAT)), "rid", str(rid()));
        case 3 -> undoRedo();
        case 4 -> obj("type", str("leave"), "room", str(room()), "rid", str(rid()));
        default -> opFrame(room(), op(0));
      };
    }

    /** A frame of a documented (or not) type whose fields are of random kinds. */
    private String message() {
      List<String> kv = new ArrayList<>();
      String type = r.nextInt(10) < 8 ? pick(TYPES) : (r.nextBoolean() ? randomString(12) : null);
      if (r.nextInt(20) > 0) {
        kv.add("type");
        kv.add(type == null ? value(2) : str(type));
      }
      if (r.nextInt(10) > 0) {
        kv.add("room");
        kv.add(r.nextInt(10) < 7 ? str(room()) : value(2));
      }
      if (r.nextBoolean()) {
        kv.add("rid");
        kv.add(r.nextInt(10) < 8 ? str(rid()) : value(2));
      }
      if (r.nextInt(10) < 6) {
        kv.add("id");
        kv.add(r.nextInt(10) < 7 ? str(opId()) : value(2));
      }
      if ("op".equals(type) || r.nextInt(10) == 0) {
        kv.add("op");
        kv.add(r.nextInt(10) < 7 ? op(0) : value(2));
      }
      if ("presence".equals(type) || r.nextInt(10) == 0) {
        kv.add("state");
        kv.add(r.nextInt(10) < 6 ? object(2) : value(2));
      }
      if ("chat".equals(type) || r.nextInt(10) == 0) {
        kv.add("text");
        kv.add(r.nextInt(10) < 5 ? str(pick(CHAT) + (r.nextBoolean() ? randomString(20) : "")) : value(2));
      }
      if ("join".equals(type) || r.nextInt(10) == 0) {
        kv.add("since");
        kv.add(r.nextBoolean() ? number() : value(1));
      }
      if (r.nextInt(8) == 0) {
        kv.add(randomString(8));
        kv.add(value(2));
      }
      if (r.nextInt(30) == 0 && kv.size() >= 2) {
        kv.add(kv.get(0)); // duplicate key
        kv.add(kv.get(1));
      }
      return objList(kv);
    }

    private String opFrame(String room, String op) {
      String id = opId();
      return obj("type", str("op"), "room", str(room), "id", str(id), "rid", str("r-" + id), "op", op);
    }

    private String undoRedo() {
      String id = opId();
      return obj("type", str(r.nextBoolean() ? "undo" : "redo"), "room", str(room()), "id", str(id),
          "rid", str("r-" + id));
    }

    /** A random op: mostly well-typed with a small pool of shape ids, so that edits collide. */
    private String op(int depth) {
      String kind = r.nextInt(12) == 0 ? (r.nextBoolean() ? randomString(10) : null) : pick(KINDS);
      List<String> kv = new ArrayList<>();
      if (r.nextInt(25) > 0) {
        kv.add("kind");
        kv.add(kind == null ? value(1) : str(kind));
      }
      String k = kind == null ? "" : kind;
      switch (k) {
        case "create_shape" -> {
          kv.add("shape");
          kv.add(r.nextInt(10) > 0 ? shape(true) : value(2));
        }
        case "update_shape" -> {
          kv.add("id");
          kv.add(shapeIdValue());
          kv.add("set");
          kv.add(r.nextInt(10) > 0 ? shape(false) : value(2));
        }
        case "move_shape" -> {
          kv.add("id");
          kv.add(shapeIdValue());
          kv.add("x");
          kv.add(number());
          kv.add("y");
          kv.add(number());
        }
        case "resize_shape" -> {
          kv.add("id");
          kv.add(shapeIdValue());
          kv.add("w");
          kv.add(number());
          kv.add("h");
          kv.add(number());
          if (r.nextBoolean()) {
            kv.add("x");
            kv.add(number());
          }
        }
        case "delete_shape" -> {
          kv.add("id");
          kv.add(shapeIdValue());
        }
        case "batch" -> {
          kv.add("ops");
          if (depth > 1 || r.nextInt(10) == 0) {
            kv.add(value(2));
          } else {
            int n = r.nextInt(40) == 0 ? 501 : r.nextInt(6);
            List<String> ops = new ArrayList<>();
            for (int i = 0; i < n; i++) {
              ops.add(n > 50 ? obj("kind", str("delete_shape"), "id", str("s" + i)) : op(depth + 1));
            }
            kv.add("[" + String.join(",", ops) + "]");
          }
        }
        default -> {
          kv.add("id");
          kv.add(shapeIdValue());
        }
      }
      if (r.nextInt(15) == 0) {
        kv.add(r.nextBoolean() ? randomString(6) : pick(SHAPE_FIELDS));
        kv.add(value(2));
      }
      return objList(kv);
    }

    /** A valid op on the pool of shape ids: it commits unless the shape exists (create) or not (others). */
    private String saneOp(int depth) {
      String id = str("s" + r.nextInt(20));
      return switch (r.nextInt(depth == 0 ? 7 : 6)) {
        case 0, 1 -> obj("kind", str("create_shape"), "shape", saneShape(id));
        case 2 -> obj("kind", str("update_shape"), "id", id, "set", saneSet());
        case 3 -> obj("kind", str("move_shape"), "id", id, "x", saneNumber(), "y", saneNumber());
        case 4 -> obj("kind", str("resize_shape"), "id", id, "w", String.valueOf(r.nextInt(500)),
            "h", String.valueOf(r.nextInt(500)), "x", r.nextBoolean() ? saneNumber() : null);
        case 5 -> obj("kind", str("delete_shape"), "id", id);
        default -> {
          List<String> ops = new ArrayList<>();
          for (int i = 1 + r.nextInt(4); i > 0; i--) {
            ops.add(saneOp(depth + 1));
          }
          yield obj("kind", str("batch"), "ops", "[" + String.join(",", ops) + "]");
        }
      };
    }

    private String saneShape(String id) {
      String type = pick(SHAPE_TYPES);
      boolean pointy = type.equals("line") || type.equals("arrow") || type.equals("path");
      return obj("id", id, "type", str(type), "x", saneNumber(), "y", saneNumber(),
          "w", r.nextBoolean() ? String.valueOf(r.nextInt(300)) : null,
          "h", r.nextBoolean() ? String.valueOf(r.nextInt(300)) : null,
          "rotation", r.nextInt(4) == 0 ? saneNumber() : null,
          "z", r.nextInt(3) == 0 ? str(randomString(1 + r.nextInt(6))) : null,
          "style", r.nextInt(3) == 0 ? saneStyle() : null,
          "text", r.nextInt(3) == 0 ? str(randomString(r.nextInt(60))) : null,
          "points", pointy && r.nextBoolean() ? "[[0,0],[" + saneNumber() + "," + saneNumber() + "]]" : null);
    }

    private String saneSet() {
      List<String> kv = new ArrayList<>();
      for (String field : new String[] {"x", "y", "w", "h", "rotation", "z", "style", "text"}) {
        if (r.nextInt(3) > 0) {
          continue;
        }
        kv.add(field);
        boolean optional = !field.equals("x") && !field.equals("y");
        kv.add(optional && r.nextInt(4) == 0 ? "null" : switch (field) {
          case "w", "h" -> String.valueOf(r.nextInt(300));
          case "z", "text" -> str(randomString(1 + r.nextInt(10)));
          case "style" -> saneStyle();
          default -> saneNumber();
        });
      }
      return objList(kv);
    }

    private String saneStyle() {
      return obj("stroke", r.nextBoolean() ? str(pick(new String[] {"#123", "red", "rgba(1,2,3,0.5)"})) : null,
          "fill", r.nextBoolean() ? str("none") : null,
          "strokeWidth", r.nextBoolean() ? String.valueOf(r.nextInt(10)) : null,
          "opacity", r.nextBoolean() ? String.valueOf(r.nextInt(11) / 10.0) : null,
          "fontSize", r.nextBoolean() ? String.valueOf(1 + r.nextInt(40)) : null);
    }

    private String saneNumber() {
      return r.nextBoolean() ? String.valueOf(r.nextInt(2_000) - 1_000) : String.valueOf(r.nextDouble() * 1e3);
    }

    /** A shape (or an update set): each field present at random, mostly well-typed. */
    private String shape(boolean create) {
      List<String> kv = new ArrayList<>();
      for (String field : SHAPE_FIELDS) {
        boolean required = create && (field.equals("id") || field.equals("type") || field.equals("x")
            || field.equals("y"));
        if (!(required ? r.nextInt(20) > 0 : r.nextInt(3) == 0)) {
          continue;
        }
        kv.add(field);
        if (r.nextInt(12) == 0) {
          kv.add(r.nextBoolean() ? "null" : value(2));
          continue;
        }
        kv.add(switch (field) {
          case "id" -> shapeIdValue();
          case "type" -> str(r.nextInt(10) > 0 ? pick(SHAPE_TYPES) : randomString(6));
          case "z" -> str(randomString(r.nextInt(10) == 0 ? 300 : 8));
          case "text" -> str(randomString(r.nextInt(10) == 0 ? 10_050 : 40));
          case "style" -> style();
          case "points" -> points();
          default -> number();
        });
      }
      return objList(kv);
    }

    private String style() {
      List<String> kv = new ArrayList<>();
      for (String field : STYLE_FIELDS) {
        if (r.nextBoolean()) {
          kv.add(field);
          kv.add(field.equals("stroke") || field.equals("fill")
              ? (r.nextInt(5) > 0 ? str(pick(new String[] {"#000", "red", "rgb(1,2,3)", "url(x)", "none"}))
                  : str(randomString(r.nextInt(10) == 0 ? 200 : 10)))
              : number());
        }
      }
      if (r.nextInt(10) == 0) {
        kv.add(randomString(5));
        kv.add(value(1));
      }
      return objList(kv);
    }

    private String points() {
      int n = r.nextInt(30) == 0 ? 10_001 : r.nextInt(8);
      StringBuilder b = new StringBuilder("[");
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          b.append(',');
        }
        if (n > 100 || r.nextInt(10) > 0) {
          b.append('[').append(n > 100 ? i : number()).append(',').append(n > 100 ? i : number()).append(']');
        } else {
          b.append(value(1));
        }
      }
      return b.append(']').toString();
    }

    /** Nesting from 50 to 1,500 levels, in a field that is read or in one that is not. */
    private String deep() {
      int depth = 50 + r.nextInt(1_450);
      String open = r.nextBoolean() ? "[" : "{\"a\":";
      String close = open.equals("[") ? "]" : "}";
      String nested = open.repeat(depth) + "1" + close.repeat(depth);
      return switch (r.nextInt(5)) {
        case 0 -> nested;
        case 1 -> obj("type", str("presence"), "room", str(room()), "state", "{\"deep\":" + nested + "}");
        case 2 -> opFrame(room(), "{\"kind\":\"create_shape\",\"shape\":" + nested + "}");
        case 3 -> obj("type", str("join"), "room", str(room()), "junk", nested);
        default -> opFrame(room(), "{\"kind\":\"batch\",\"ops\":[" + nested + "]}");
      };
    }

    /** Strings from 1 KB to 100 KB where strings go. */
    private String huge() {
      String big = randomString(1_000 + r.nextInt(r.nextBoolean() ? 20_000 : 100_000));
      return switch (r.nextInt(7)) {
        case 0 -> obj("type", str("chat"), "room", str(room()), "text", str(big));
        case 1 -> obj("type", str("join"), "room", str(big));
        case 2 -> obj("type", str("presence"), "room", str(room()), "state", obj("note", str(big)));
        case 3 -> obj("type", str("op"), "room", str(room()), "id", str(big), "op", op(0));
        case 4 -> obj("type", str("leave"), "room", str(room()), "rid", str(big));
        default -> opFrame(room(), obj("kind", str("create_shape"), "shape", obj("id", str("t" + r.nextInt(20)),
            "type", str("text"), "x", "1", "y", "2", "text", str(big))));
      };
    }

    /** Byte-level damage to a valid frame: truncation, deletion, insertion, replacement, repetition. */
    private String mutate(String frame) {
      StringBuilder b = new StringBuilder(frame);
      int edits = 1 + r.nextInt(3);
      for (int i = 0; i < edits && b.length() > 0; i++) {
        int at = r.nextInt(b.length());
        switch (r.nextInt(5)) {
          case 0 -> b.setLength(at);
          case 1 -> b.delete(at, Math.min(b.length(), at + 1 + r.nextInt(8)));
          case 2 -> b.insert(at, pick(ODD_CHARS));
          case 3 -> b.setCharAt(at, (char) (32 + r.nextInt(95)));
          default -> b.insert(at, b.substring(at, Math.min(b.length(), at + 1 + r.nextInt(20))));
        }
      }
      return b.toString();
    }

    /** Any JSON value; containers up to a small depth. */
    private String value(int depth) {
      int p = r.nextInt(depth >= 3 ? 6 : 9);
      return switch (p) {
        case 0 -> "null";
        case 1 -> r.nextBoolean() ? "true" : "false";
        case 2, 3 -> number();
        case 4, 5 -> str(randomString(r.nextInt(20)));
        case 6 -> {
          int n = r.nextInt(5);
          List<String> items = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            items.add(value(depth + 1));
          }
          yield "[" + String.join(",", items) + "]";
        }
        default -> object(depth + 1);
      };
    }

    private String object(int depth) {
      int n = r.nextInt(5);
      List<String> kv = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        kv.add(randomString(6));
        kv.add(value(depth + 1));
      }
      return objList(kv);
    }

    private String number() {
      return switch (r.nextInt(4)) {
        case 0 -> pick(NUMBERS);
        case 1 -> String.valueOf(r.nextInt(2_000) - 1_000);
        case 2 -> String.valueOf((r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(20)));
        default -> String.valueOf(r.nextInt(100));
      };
    }

    private String room() {
      int p = r.nextInt(20);
      if (p < 17) {
        return rooms.get(r.nextInt(rooms.size()));
      }
      return p == 17 ? "" : (p == 18 ? "elsewhere-" + r.nextInt(5) : randomString(1 + r.nextInt(140)));
    }

    private String rid() {
      return r.nextInt(10) == 0 ? randomString(30) : "rid-" + (++serial);
    }

    private String opId() {
      int p = r.nextInt(20);
      if (p < 15) {
        return "op-" + (++serial);
      }
      return p < 17 ? "op-" + r.nextInt(Math.max(1, serial)) : randomString(r.nextInt(70));
    }

    private String shapeIdValue() {
      int p = r.nextInt(20);
      if (p < 16) {
        return str("s" + r.nextInt(20));
      }
      return p < 19 ? str(randomString(r.nextInt(70))) : value(2);
    }

    /** Random text: ASCII, control characters (NUL too), unpaired surrogates, multi-byte and astral characters. */
    private String randomString(int length) {
      StringBuilder b = new StringBuilder(length);
      int mode = r.nextInt(4);
      while (b.length() < length) {
        int p = mode == 0 ? 0 : r.nextInt(10);
        if (r.nextInt(50) == 0) {
          b.append(r.nextBoolean() ? (char) 0 : (char) (0xD800 + r.nextInt(0x800)));
        } else if (p < 6) {
          b.append((char) ('a' + r.nextInt(26)));
        } else if (p < 7) {
          b.append((char) (1 + r.nextInt(31)));
        } else if (p < 8) {
          b.append(pick(ODD_CHARS));
        } else if (p < 9) {
          b.append((char) (0x80 + r.nextInt(0xD800 - 0x80)));
        } else {
          b.appendCodePoint(0x10000 + r.nextInt(0x10FFFF - 0x10000));
        }
      }
      return b.toString();
    }

    private <T> T pick(T[] options) {
      return options[r.nextInt(options.length)];
    }

    private String obj(String... kv) {
      List<String> list = new ArrayList<>();
      for (int i = 0; i < kv.length; i += 2) {
        if (kv[i + 1] != null) {
          list.add(kv[i]);
          list.add(kv[i + 1]);
        }
      }
      return objList(list);
    }

    private static String objList(List<String> kv) {
      StringBuilder b = new StringBuilder("{");
      for (int i = 0; i < kv.size(); i += 2) {
        if (i > 0) {
          b.append(',');
        }
        b.append(str(kv.get(i))).append(':').append(kv.get(i + 1));
      }
      return b.append('}').toString();
    }

    /**
     * A JSON string literal; control characters and unpaired surrogates escaped (so that the latter
     * reach the server), everything else written as is.
     */
    static String str(String s) {
      StringBuilder b = new StringBuilder(s.length() + 2).append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1));
        if (paired) {
          b.append(c).append(s.charAt(++i));
        } else if (c == '"' || c == '\\') {
          b.append('\\').append(c);
        } else if (c < 0x20 || Character.isSurrogate(c)) {
          b.append(String.format("\\u%04x", (int) c));
        } else {
          b.append(c);
        }
      }
      return b.append('"').toString();
    }
  }
}
