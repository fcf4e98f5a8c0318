package io.flowstate.app.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.shared.protocol.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A WebSocket client for any host (the JDK's), for tests through a load balancer: records every
 * text frame in order; {@link #await} consumes frames up to the first match. Its first frame is
 * {@code welcome}, which names the gateway that took the connection.
 */
final class LbSocket implements AutoCloseable {
  private final List<JsonNode> frames = new ArrayList<>();
  private final StringBuilder partial = new StringBuilder();
  private int consumed;
  private Integer closeCode;
  private WebSocket socket;
  private String gateway;

  static LbSocket open(URI uri) {
    LbSocket client = new LbSocket();
    try {
      client.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
          .buildAsync(uri, client.listener()).get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("could not open " + uri.toString().replaceAll("access_token=[^&]*", "access_token=…")
          + ": " + e, e);
    }
    JsonNode welcome = client.await(f -> f.path("type").asText().equals("welcome"), Topology.WAIT);
    client.gateway = welcome.path("gateway").asText();
    return client;
  }

  private WebSocket.Listener listener() {
    return new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        synchronized (LbSocket.this) {
          partial.append(data);
          if (last) {
            frames.add(Json.parse(partial.toString()));
            partial.setLength(0);
            LbSocket.this.notifyAll();
          }
        }
        ws.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        synchronized (LbSocket.this) {
          closeCode = statusCode;
          LbSocket.this.notifyAll();
        }
        return null;
      }

      @Override
      public void onError(WebSocket ws, Throwable error) {
        synchronized (LbSocket.this) {
          if (closeCode == null) {
            closeCode = 1006;
          }
          LbSocket.this.notifyAll();
        }
      }
    };
  }

  String gateway() {
    return gateway;
  }

  void send(JsonNode frame) {
    try {
      socket.sendText(Json.write(frame), true).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("send to " + gateway + " failed: " + e, e);
    }
  }

  /** The next unread frame matching {@code predicate} (earlier unread frames are skipped). */
  synchronized JsonNode await(Predicate<JsonNode> predicate, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      while (consumed < frames.size()) {
        JsonNode frame = frames.get(consumed++);
        if (predicate.test(frame)) {
          return frame;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || closeCode != null && consumed >= frames.size()) {
        throw new AssertionError("no matching frame within " + timeout + " on " + gateway
            + (closeCode != null ? " (closed " + closeCode + ")" : "") + "; last frames: "
            + frames.subList(Math.max(0, frames.size() - 10), frames.size()));
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  JsonNode next(String type) {
    return await(f -> f.path("type").asText().equals(type), Topology.WAIT);
  }

  /** The close code, once the server closed the connection. */
  synchronized int awaitClose(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (closeCode == null) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("connection to " + gateway + " still open after " + timeout);
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    return closeCode;
  }

  @Override
  public void close() {
    if (socket != null && !socket.isOutputClosed()) {
      try {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
      } catch (Exception e) {
        // already closing or gone: abort below
      }
    }
    if (socket != null) {
      socket.abort();
    }
  }
}
