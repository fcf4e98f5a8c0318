package io.flowstate.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.shared.canvas.CanvasLimits;
import io.flowstate.shared.canvas.CanvasState;
import io.flowstate.shared.canvas.Reducer;
import io.flowstate.shared.protocol.Json;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A well-behaved client for the chaos suite, as an app would write one: it writes ops to its rooms
 * one at a time, retries the same op id on {@code unavailable}, on a timeout and after a reconnect,
 * reconnects to the next gateway with backoff and resumes every room with {@code since}, keeps its
 * own copy of each room's state from the events it applies, and records what it saw: acked ops,
 * versions out of order or repeated, errors other than {@code unavailable}. Runs on one Vert.x
 * context (all callbacks on its event loop).
 */
final class ChaosClient {
  private static final long OP_TIMEOUT_MS = 6_000;

  private final Vertx vertx;
  private final String name;
  private final List<Integer> ports;
  private final List<String> rooms;
  private final Reducer reducer = new Reducer(CanvasLimits.replay());
  // Held for the client's lifetime: an unreferenced WebSocketClient can be closed mid-handshake.
  private final WebSocketClient client;
  private final Map<String, Long> applied = new HashMap<>();
  private final Map<String, CanvasState> states = new HashMap<>();
  final Map<String, Long> acked = new LinkedHashMap<>();
  final List<String> violations = new ArrayList<>();
  final List<Long> ackTimes = new ArrayList<>();
  long retries;
  long duplicateAcks;
  long reconnects;
  private ClientWebSocket socket;
  private int gateway;
  private boolean open;
  private final java.util.Set<String> joined = new java.util.HashSet<>();
  private boolean writing = true;
  private int counter;
  private String pendingId;
  private String pendingRoom;
  private JsonNode pendingOp;
  private long pendingSince;
  private long timer;

  ChaosClient(Vertx vertx, String name, List<Integer> ports, List<String> rooms, int firstGateway) {
    this.vertx = vertx;
    this.name = name;
    this.ports = ports;
    this.rooms = rooms;
    this.gateway = firstGateway;
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions().setConnectTimeout(3_000)
        .setMaxFrameSize(8 * 1024 * 1024).setMaxMessageSize(8 * 1024 * 1024));
    rooms.forEach(r -> {
      applied.put(r, 0L);
      states.put(r, CanvasState.empty());
    });
  }

  void start() {
    connect();
    timer = vertx.setPeriodic(40, id -> step());
  }

  /** Stops creating new ops; the pending one is still retried until it is acknowledged. */
  void stopWriting() {
    writing = false;
  }

  boolean settled() {
    return pendingId == null && open && joined.size() == rooms.size();
  }

  void close() {
    vertx.cancelTimer(timer);
    if (socket != null) {
      socket.close();
    }
    client.close();
  }

  boolean hasRoom(String room) {
    return rooms.contains(room);
  }

  long version(String room) {
    return applied.get(room);
  }

  String hash(String room) {
    return states.get(room).hash();
  }

  private void connect() {
    int port = ports.get(gateway % ports.size());
    ClientWebSocket ws = client.webSocket();
    socket = ws;
    ws.textMessageHandler(text -> onFrame(ws, Json.parse(text)));
    ws.closeHandler(v -> lost(ws));
    ws.exceptionHandler(e -> lost(ws));
    ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
            .setURI("/v1/ws?guest=" + name + "&name=" + name).setTimeout(3_000))
        .onFailure(e -> lost(ws));
  }

  private void lost(ClientWebSocket ws) {
    if (ws != socket) {
      return;
    }
    socket = null;
    open = false;
    joined.clear();
    reconnects++;
    gateway++;
    vertx.setTimer(200 + (long) (Math.random() * 300), id -> connect());
  }

  private void send(JsonNode frame) {
    if (socket != null && open) {
      socket.writeTextMessage(Json.write(frame));
    }
  }

  private void join(String room) {
    send(Json.object().put("type", "join").put("room", room).put("since", applied.get(room)));
  }

  private void onFrame(ClientWebSocket ws, JsonNode f) {
    if (ws != socket) {
      return;
    }
    switch (f.path("type").asText()) {
      case "welcome" -> {
        open = true;
        rooms.forEach(this::join);
        if (pendingId != null) {
          pendingSince = 0;  // resend once joined
        }
      }
      case "joined" -> onJoined(f);
      case "op" -> onOp(f);
      case "ack" -> {
        if (f.path("id").asText().equals(pendingId)) {
          acked.put(pendingRoom + "|" + pendingId, f.path("version").asLong());
          ackTimes.add(System.nanoTime());
          duplicateAcks++;
          pendingId = null;
        }
      }
      case "resync" -> {
        joined.remove(f.path("room").asText());
        join(f.path("room").asText());
      }
      case "error" -> onError(f);
      default -> {
      }
    }
  }

  private void onJoined(JsonNode f) {
    String room = f.path("room").asText();
    if (f.has("snapshot")) {
      JsonNode snap = f.path("snapshot");
      states.put(room, CanvasState.fromJson(snap.path("state"), CanvasLimits.replay()));
      applied.put(room, snap.path("version").asLong());
    } else {
      for (JsonNode op : f.path("ops")) {
        onOp(op);
      }
    }
    if (applied.get(room) != f.path("version").asLong()) {
      violations.add(name + " joined " + room + " at " + f.path("version") + " but applied " + applied.get(room));
    }
    joined.add(room);
  }

  private void onOp(JsonNode f) {
    String room = f.path("room").asText();
    long version = f.path("version").asLong();
    long last = applied.get(room);
    if (version != last + 1) {
      violations.add(name + " saw " + room + " v" + version + " after v" + last);
      return;
    }
    reducer.applyInPlace(states.get(room), reducer.parse(f.path("op")));
    applied.put(room, version);
    if (f.path("id").asText().equals(pendingId) && room.equals(pendingRoom)
        && f.path("author").path("id").asText().equals("guest-" + name)) {
      acked.put(room + "|" + pendingId, version);
      ackTimes.add(System.nanoTime());
      pendingId = null;
    }
  }

  private void onError(JsonNode f) {
    if (pendingId == null || !pendingId.equals(f.path("id").asText())) {
      if (!"unavailable".equals(f.path("code").asText())) {
        violations.add(name + " got " + f);
      }
      return;
    }
    if ("unavailable".equals(f.path("code").asText()) || "not_joined".equals(f.path("code").asText())) {
      pendingSince = 0;  // retry at the next step
      return;
    }
    violations.add(name + " got " + f + " for its op");
    pendingId = null;
  }

  private void step() {
    if (!open || joined.size() < rooms.size()) {
      return;
    }
    long now = System.currentTimeMillis();
    if (pendingId != null) {
      if (pendingSince == 0 || now - pendingSince > OP_TIMEOUT_MS) {
        retries++;
        pendingSince = now;
        send(Json.object().put("type", "op").put("room", pendingRoom).put("id", pendingId).set("op", pendingOp));
      }
      return;
    }
    if (!writing) {
      return;
    }
    counter++;
    pendingRoom = rooms.get(counter % rooms.size());
    pendingId = name + "-" + counter;
    // Every op creates a shape of its own (a unique id), so it applies whatever others did.
    pendingOp = Json.object().put("kind", "create_shape").set("shape", Json.object().put("id", pendingId)
        .put("type", counter % 2 == 0 ? "rect" : "ellipse").put("x", counter).put("y", 1).put("w", 5).put("h", 5));
    pendingSince = now;
    send(Json.object().put("type", "op").put("room", pendingRoom).put("id", pendingId).set("op", pendingOp));
  }
}
