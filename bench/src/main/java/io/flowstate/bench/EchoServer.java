package io.flowstate.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/**
 * The per-connection memory baseline: a WebSocket echo server on the same Vert.x, nothing else.
 * {@code GET /mem} runs a full GC and answers "heapUsed directUsed" in bytes; {@code /health/ready}
 * answers 200. Run as its own process: {@code java -cp flowstate-bench.jar io.flowstate.bench.EchoServer PORT}.
 */
public final class EchoServer {
  private final Vertx vertx = Vertx.vertx();
  private HttpServer server;

  public static void main(String[] args) {
    new EchoServer().start(Integer.parseInt(args[0]));
  }

  public void start(int port) {
    server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
        .webSocketHandler(ws -> ws.textMessageHandler(ws::writeTextMessage))
        .requestHandler(req -> {
          if (req.path().equals("/mem")) {
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
            req.response().end(heap + " " + direct);
          } else {
            req.response().end("ok");
          }
        });
    server.listen().toCompletionStage().toCompletableFuture().join();
  }
}
