package io.flowstate.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens WebSockets from several loopback source addresses (127.0.0.x) so that one generator can
 * hold more connections to one gateway than the ephemeral port range allows from one address.
 * The {@link WebSocketClient}s are kept in a field for the generator's lifetime: Vert.x 5.0.10
 * closes a client that nothing references, even in the middle of a handshake.
 */
public final class Connector {
  private final List<WebSocketClient> clients = new ArrayList<>();
  private final AtomicInteger next = new AtomicInteger();

  public Connector(Vertx vertx, List<String> localAddresses) {
    for (String address : localAddresses.isEmpty() ? List.of("") : localAddresses) {
      WebSocketClientOptions options = new WebSocketClientOptions()
          .setMaxConnections(1_000_000)
          .setConnectTimeout(30_000)
          .setMaxFrameSize(1 << 20)
          .setMaxMessageSize(64 << 20);
      if (!address.isEmpty()) {
        options.setLocalAddress(address);
      }
      clients.add(vertx.createWebSocketClient(options));
    }
  }

  /** Source addresses 127.0.0.1 … 127.0.0.n. */
  public static List<String> loopbackSources(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add("127.0.0." + i);
    }
    return out;
  }

  /** Opens {@code uri} on {@code hostPort} from the next source address (round robin). */
  public Future<WebSocket> open(String hostPort, String uri) {
    int colon = hostPort.lastIndexOf(':');
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost(hostPort.substring(0, colon)).setPort(Integer.parseInt(hostPort.substring(colon + 1)))
        .setURI(uri).setTimeout(30_000);
    WebSocketClient client = clients.get(Math.floorMod(next.getAndIncrement(), clients.size()));
    return client.connect(options);
  }

  public Future<Void> close() {
    return Future.all(clients.stream().map(WebSocketClient::close).toList()).mapEmpty();
  }
}
