package io.flowstate.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.shared.protocol.Json;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One load-generator connection speaking PROTOCOL.md as a guest: connect (welcome), join rooms,
 * send ops and measure op → own op event latency, account every op event per room for loss and
 * order ({@link DeliveryTracker}), follow {@code resync}, and resume on a new socket with
 * {@code since} ({@link #resume}). Op events are read with a streaming parser that skips the op
 * body; rarer frames are parsed as trees.
 */
public final class WsClient {
  private static final JsonFactory JSON = Json.MAPPER.getFactory();

  private record Pending(long sentNanos, Promise<Long> promise, String frame, int retries) {
  }

  /** Re-sends of an op answered {@code unavailable} (same id, as PROTOCOL.md asks); then it fails. */
  static final int MAX_RETRIES = 3;

  private final Connector connector;
  private final String guest;
  private final String user;
  private final Counters counters;
  private final LatencyStats latency;
  private final Map<String, DeliveryTracker> rooms = new ConcurrentHashMap<>();
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final Map<String, Promise<JsonNode>> joins = new ConcurrentHashMap<>();
  private volatile WebSocket ws;
  private volatile Promise<Void> welcome;
  private volatile Consumer<WsClient> closeHandler = c -> { };
  private volatile boolean closing;

  public WsClient(Connector connector, String guest, Counters counters, LatencyStats latency) {
    this.connector = connector;
    this.guest = guest;
    this.user = "guest-" + guest;
    this.counters = counters;
    this.latency = latency;
  }

  public String user() {
    return user;
  }

  /** Called when the socket closes without {@link #close} having been called. */
  public WsClient onClose(Consumer<WsClient> handler) {
    this.closeHandler = handler;
    return this;
  }

  /** Opens the socket on {@code hostPort}; completes on {@code welcome}. */
  public Future<WsClient> connect(String hostPort) {
    Promise<Void> w = Promise.promise();
    welcome = w;
    return connector.open(hostPort, "/v1/ws?guest=" + guest + "&name=" + guest).compose(socket -> {
      ws = socket;
      socket.textMessageHandler(this::onText);
      socket.exceptionHandler(e -> { });
      socket.closeHandler(v -> {
        if (ws == socket) {
          failPending("closed");
          if (!closing) {
            counters.closes.increment();
            closeHandler.accept(this);
          }
        }
      });
      return w.future();
    }).map(this);
  }

  /** Joins a room fresh (no {@code since}); completes with the joined version. */
  public Future<Long> join(String room) {
    return joinFrame(room, null).map(joined -> {
      long version = joined.path("version").asLong();
      rooms.put(room, new DeliveryTracker(version));
      return version;
    });
  }

  /**
   * Re-opens the socket on {@code hostPort} and joins every room again with {@code since} = the
   * last version applied there; events in the {@code joined} ops go through the trackers, so a
   * resume that skipped or repeated a version shows as loss or duplicates.
   */
  public Future<Void> resume(String hostPort) {
    return connect(hostPort).compose(c -> {
      List<Future<JsonNode>> all = new ArrayList<>();
      for (Map.Entry<String, DeliveryTracker> e : rooms.entrySet()) {
        all.add(rejoin(e.getKey(), e.getValue()));
      }
      return Future.all(all).mapEmpty();
    });
  }

  private Future<JsonNode> rejoin(String room, DeliveryTracker tracker) {
    return joinFrame(room, tracker.last()).onSuccess(joined -> {
      if (joined.has("snapshot")) {
        counters.snapshotJoins.increment();
        tracker.resetTo(joined.path("version").asLong());
      } else {
        for (JsonNode op : joined.path("ops")) {
          tracker.accept(op.path("version").asLong());
          counters.deliveries.increment();
        }
      }
    });
  }

  private Future<JsonNode> joinFrame(String room, Long since) {
    Promise<JsonNode> joined = Promise.promise();
    joins.put(room, joined);
    StringBuilder frame = new StringBuilder(64).append("{\"type\":\"join\",\"room\":\"").append(room)
        .append("\",\"rid\":\"j-").append(room).append('"');
    if (since != null) {
      frame.append(",\"since\":").append(since);
    }
    send(frame.append('}').toString());
    return joined.future();
  }

  /** Sends an op; its own op event (or a duplicate ack) completes the returned version. */
  public Future<Long> sendOp(String room, String id, String opJson) {
    Promise<Long> promise = Promise.promise();
    String frame = "{\"type\":\"op\",\"room\":\"" + room + "\",\"id\":\"" + id + "\",\"op\":" + opJson + "}";
    pending.put(id, new Pending(System.nanoTime(), promise, frame, 0));
    counters.sent.increment();
    send(frame);
    return promise.future();
  }

  /** Ops sent and not yet answered. */
  public int inFlight() {
    return pending.size();
  }

  public DeliveryTracker tracker(String room) {
    return rooms.get(room);
  }

  public Map<String, DeliveryTracker> trackers() {
    return rooms;
  }

  public boolean open() {
    WebSocket s = ws;
    return s != null && !s.isClosed();
  }

  /** Closes the socket as if the server had dropped it: the close handler runs (to resume). */
  public void simulateDrop() {
    WebSocket s = ws;
    if (s != null) {
      s.close();
    }
  }

  public Future<Void> close() {
    closing = true;
    WebSocket s = ws;
    return s == null || s.isClosed() ? Future.succeededFuture() : s.close();
  }

  private void send(String text) {
    WebSocket s = ws;
    if (s != null) {
      s.writeTextMessage(text);
    }
  }

  private void failPending(String why) {
    pending.forEach((id, p) -> {
      if (pending.remove(id) != null) {
        p.promise().tryFail(why);
      }
    });
    joins.forEach((room, p) -> {
      if (joins.remove(room) != null) {
        p.tryFail(why);
      }
    });
  }

  void onText(String text) {
    try {
      if (!onOpEvent(text)) {
        onOther(Json.parse(text));
      }
    } catch (IOException | RuntimeException e) {
      counters.error("client_parse");
    }
  }

  /** Handles an {@code op} event with a streaming parse; false when the frame is something else. */
  private boolean onOpEvent(String text) throws IOException {
    String type = null;
    String room = null;
    String id = null;
    String author = null;
    long version = -1;
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "type" -> {
            type = p.getText();
            if (!"op".equals(type)) {
              return false;
            }
          }
          case "room" -> room = p.getText();
          case "id" -> id = p.getText();
          case "version" -> version = p.getLongValue();
          case "author" -> {
            if (value == JsonToken.START_OBJECT) {
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                p.nextToken();
                if ("id".equals(f)) {
                  author = p.getText();
                } else {
                  p.skipChildren();
                }
              }
            }
          }
          default -> p.skipChildren();
        }
      }
    }
    if (!"op".equals(type)) {
      return false;
    }
    counters.deliveries.increment();
    DeliveryTracker tracker = rooms.get(room);
    if (tracker != null) {
      tracker.accept(version);
    }
    if (user.equals(author) && id != null) {
      settle(id, version, false);
    }
    return true;
  }

  private void settle(String id, long version, boolean duplicate) {
    Pending p = pending.remove(id);
    if (p != null) {
      latency.recordNanos(System.nanoTime() - p.sentNanos());
      counters.acked.increment();
      if (duplicate) {
        counters.duplicateAcks.increment();
      }
      p.promise().tryComplete(version);
    }
  }

  private void onOther(JsonNode frame) {
    switch (frame.path("type").asText()) {
      case "welcome" -> {
        Promise<Void> w = welcome;
        if (w != null) {
          w.tryComplete();
        }
      }
      case "joined" -> {
        Promise<JsonNode> p = joins.remove(frame.path("room").asText());
        if (p != null) {
          p.tryComplete(frame);
        }
      }
      case "ack" -> settle(frame.path("id").asText(), frame.path("version").asLong(), true);
      case "resync" -> {
        counters.resyncs.increment();
        String room = frame.path("room").asText();
        DeliveryTracker tracker = rooms.get(room);
        if (tracker != null) {
          rejoin(room, tracker);
        }
      }
      case "error" -> {
        String code = frame.path("code").asText("unknown");
        counters.error(code);
        String id = frame.path("id").asText(null);
        Pending p = id == null ? null : pending.remove(id);
        if (p != null && "unavailable".equals(code) && p.retries() < MAX_RETRIES) {
          counters.retries.increment();
          pending.put(id, new Pending(p.sentNanos(), p.promise(), p.frame(), p.retries() + 1));
          send(p.frame());
        } else if (p != null) {
          p.promise().tryFail(code);
        }
        String room = frame.path("room").asText(null);
        Promise<JsonNode> j = room == null || !frame.path("rid").asText("").startsWith("j-") ? null
            : joins.remove(room);
        if (j != null) {
          j.tryFail(code);
        }
      }
      default -> {
        // members, presence, chat: not measured
      }
    }
  }
}
