package io.flowstate.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.flowstate.shared.protocol.Json;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A real WebSocket client for black-box protocol tests, driven from the JUnit thread: it sends
 * text frames verbatim and records every received text message, parsed with the shared mapper,
 * in arrival order. Reads consume frames in order; {@link #all()} and {@link #await} see every
 * frame. Blocking methods refuse to run on a Vert.x thread. Timeouts fail with AssertionError.
 */
public final class WsTestClient implements AutoCloseable {
  /** Upper bound for the handshake, for sends and for the closing handshake. */
  public static final Duration IO_TIMEOUT = Duration.ofSeconds(10);
  /** Largest frame and message accepted (snapshots in {@code joined} frames are big). */
  public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
  /** Close code reported when the connection ended without a close frame (RFC 6455). */
  public static final int ABNORMAL_CLOSURE = 1006;

  private static final int DESCRIBE_LAST = 20;
  private static final int DESCRIBE_CHARS = 300;

  // Held for the client's lifetime: in Vert.x 5.0.10 an unreferenced WebSocketClient can be
  // closed mid-handshake.
  private final WebSocketClient client;
  private final ClientWebSocket socket;
  private final String target;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final List<JsonNode> frames = new ArrayList<>();
  private int consumed;
  private Integer closeCode;
  private String closeReason;
  private Throwable failure;

  private WsTestClient(Vertx vertx, int port, String pathAndQuery) {
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(MAX_MESSAGE_BYTES)
        .setMaxMessageSize(MAX_MESSAGE_BYTES)
        .setConnectTimeout((int) IO_TIMEOUT.toMillis()));
    this.target = "ws://127.0.0.1:" + port + pathAndQuery;
    this.socket = client.webSocket();
    // Handlers go on before connecting so that no frame can arrive unobserved.
    socket.textMessageHandler(this::onText);
    socket.exceptionHandler(this::onFailure);
    socket.closeHandler(v -> onClose());
  }

  /**
   * Opens a WebSocket to {@code 127.0.0.1:port} with exactly the given handshake headers (no
   * implicit Origin), waiting up to {@link #IO_TIMEOUT}.
   *
   * @throws AssertionError carrying the HTTP status when the server refuses the upgrade
   */
  public static WsTestClient connect(Vertx vertx, int port, String pathAndQuery,
      Map<String, String> headers) {
    Blocking.requireTestThread("open a WebSocket");
    WsTestClient ws = new WsTestClient(vertx, port, pathAndQuery);
    try {
      Blocking.get(ws.socket.connect(options(port, pathAndQuery, headers)), IO_TIMEOUT,
          "connect to " + ws.target);
      return ws;
    } catch (UpgradeRejectedException e) {
      ws.client.close();
      throw new AssertionError("WebSocket upgrade of " + ws.target + " was rejected with HTTP "
          + e.getStatus() + bodyOf(e), e);
    } catch (AssertionError e) {
      ws.client.close();
      throw e;
    } catch (RuntimeException e) {
      ws.client.close();
      throw new AssertionError("could not open a WebSocket to " + ws.target + ": " + e, e);
    }
  }

  /**
   * Attempts an upgrade that the server is expected to refuse and returns the HTTP status it
   * answered with (e.g. 401).
   *
   * @throws AssertionError when the upgrade succeeds or the connection fails otherwise
   */
  public static int rejectionStatus(Vertx vertx, int port, String pathAndQuery,
      Map<String, String> headers) {
    Blocking.requireTestThread("open a WebSocket");
    WsTestClient ws = new WsTestClient(vertx, port, pathAndQuery);
    try {
      Blocking.get(ws.socket.connect(options(port, pathAndQuery, headers)), IO_TIMEOUT,
          "connect to " + ws.target);
    } catch (UpgradeRejectedException e) {
      ws.client.close();
      return e.getStatus();
    } catch (RuntimeException | AssertionError e) {
      ws.client.close();
      throw new AssertionError("expected " + ws.target + " to refuse the upgrade with an HTTP "
          + "status, but the connection failed: " + e, e);
    }
    ws.close();
    throw new AssertionError("expected " + ws.target + " to refuse the upgrade, but it succeeded");
  }

  /** Sends one text frame exactly as given (it need not be valid JSON). */
  public void send(String text) {
    Blocking.get(socket.writeTextMessage(text), IO_TIMEOUT, "send a frame to " + target);
  }

  /** Sends {@code frame} encoded by the shared mapper as one text frame. */
  public void send(JsonNode frame) {
    send(Json.write(frame));
  }

  /** Consumes and returns the next frame; fails on timeout or if the socket closes first. */
  public JsonNode next(Duration timeout) {
    return next(frame -> true, "any frame", timeout);
  }

  /** Consumes frames until one whose {@code type} is {@code type}; skipped ones stay in all(). */
  public JsonNode next(String type, Duration timeout) {
    return next(frame -> type.equals(frame.path("type").asText(null)),
        "a frame of type \"" + type + "\"", timeout);
  }

  /** Every frame received so far, consumed or not, in arrival order. */
  public List<JsonNode> all() {
    lock.lock();
    try {
      return List.copyOf(frames);
    } finally {
      lock.unlock();
    }
  }

  /** Waits until any frame received so far or later, consumed or not, matches; consumes none. */
  public JsonNode await(Predicate<JsonNode> predicate, Duration timeout) {
    Blocking.requireTestThread("await a frame from " + target);
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      int scanned = 0;
      while (true) {
        for (; scanned < frames.size(); scanned++) {
          if (predicate.test(frames.get(scanned))) {
            return frames.get(scanned);
          }
        }
        waitForChange(deadline, "a matching frame", timeout);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits for the connection to close and returns its close code (1006 if no close frame). */
  public int awaitClose(Duration timeout) {
    Blocking.requireTestThread("await the close of " + target);
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (closeCode == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("connection " + target + " still open after " + timeout
              + describe());
        }
        changed.awaitNanos(left);
      }
      return closeCode;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + target + " to close", e);
    } finally {
      lock.unlock();
    }
  }

  /** Close reason sent by the peer, or null while open or when none was given. */
  public String closeReason() {
    lock.lock();
    try {
      return closeReason;
    } finally {
      lock.unlock();
    }
  }

  /** Whether the connection has closed, from either side. */
  public boolean isClosed() {
    lock.lock();
    try {
      return closeCode != null;
    } finally {
      lock.unlock();
    }
  }

  /** Closes with 1000 (waiting briefly for the closing handshake) and releases the client. */
  @Override
  public void close() {
    try {
      if (!isClosed()) {
        Blocking.get(socket.close(), IO_TIMEOUT, "close " + target);
      }
    } catch (RuntimeException | AssertionError e) {
      // The peer may already be gone; the client is released below either way.
    } finally {
      client.close();
    }
  }

  @Override
  public String toString() {
    return "WsTestClient(" + target + ")";
  }

  private JsonNode next(Predicate<JsonNode> wanted, String what, Duration timeout) {
    Blocking.requireTestThread("await a frame from " + target);
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (true) {
        while (consumed < frames.size()) {
          JsonNode frame = frames.get(consumed++);
          if (wanted.test(frame)) {
            return frame;
          }
        }
        waitForChange(deadline, what, timeout);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits (lock held) for a new frame or the close; fails on the deadline or on close. */
  private void waitForChange(long deadline, String what, Duration timeout) {
    int seen = frames.size();
    try {
      while (frames.size() == seen) {
        if (closeCode != null) {
          throw new AssertionError("connection " + target + " closed with " + closeCode
              + (closeReason == null || closeReason.isEmpty() ? "" : " \"" + closeReason + "\"")
              + " while waiting for " + what + describe());
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no " + what + " from " + target + " within " + timeout
              + describe());
        }
        changed.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + what, e);
    }
  }

  /** What was received, for failure messages (lock held). */
  private String describe() {
    StringBuilder out = new StringBuilder("; received ").append(frames.size()).append(" frame(s), ")
        .append(consumed).append(" consumed");
    int from = Math.max(0, frames.size() - DESCRIBE_LAST);
    if (from > 0) {
      out.append(" (last ").append(DESCRIBE_LAST).append(" shown)");
    }
    out.append(':');
    for (int i = from; i < frames.size(); i++) {
      String text = frames.get(i).toString();
      if (text.length() > DESCRIBE_CHARS) {
        text = text.substring(0, DESCRIBE_CHARS) + "…(" + text.length() + " chars)";
      }
      out.append("\n  #").append(i).append(i < consumed ? " " : " (unread) ").append(text);
    }
    if (failure != null) {
      out.append("\n  socket error: ").append(failure);
    }
    return out.toString();
  }

  private void onText(String text) {
    JsonNode frame;
    try {
      frame = Json.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      // Kept verbatim so that a test can see that the server sent something that is not JSON.
      frame = TextNode.valueOf(text);
    }
    lock.lock();
    try {
      frames.add(frame);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void onFailure(Throwable t) {
    lock.lock();
    try {
      failure = t;
    } finally {
      lock.unlock();
    }
  }

  private void onClose() {
    Short code = socket.closeStatusCode();
    String reason = socket.closeReason();
    lock.lock();
    try {
      closeCode = code == null ? ABNORMAL_CLOSURE : code.intValue();
      closeReason = reason;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private static WebSocketConnectOptions options(int port, String pathAndQuery,
      Map<String, String> headers) {
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost("127.0.0.1")
        .setPort(port)
        .setURI(pathAndQuery)
        // Vert.x drops even an explicit Origin unless allowed; allow it only when the test sends one.
        .setAllowOriginHeader(headers != null && headers.keySet().stream().anyMatch("Origin"::equalsIgnoreCase))
        .setTimeout(IO_TIMEOUT.toMillis());
    if (headers != null) {
      headers.forEach(options::addHeader);
    }
    return options;
  }

  private static String bodyOf(UpgradeRejectedException e) {
    String body = e.getBody() == null ? "" : e.getBody().toString();
    return body.isBlank() ? "" : ": " + body.strip();
  }
}
