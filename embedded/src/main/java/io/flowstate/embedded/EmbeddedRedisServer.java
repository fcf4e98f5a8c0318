package io.flowstate.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;
import redis.embedded.RedisExecProvider;
import redis.embedded.RedisServer;
import redis.embedded.util.OsArchitecture;

/**
 * A real Redis 7 server (embedded-redis binary) bound to 127.0.0.1 with no persistence, for dev
 * mode and tests. {@link #stop()} kills it to simulate an outage and {@link #restart()} brings
 * it back on the same port, empty. Servers left behind by a killed JVM are reaped by the next
 * {@link #start}. Thread-safe.
 */
public final class EmbeddedRedisServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(EmbeddedRedisServer.class.getName());
  private static final String KIND = "redis";
  private static final String WHAT = "embedded Redis";
  private static final int PORT_ATTEMPTS = 3;
  private static final int RESTART_ATTEMPTS = 20;
  private static final Duration RESTART_RETRY_DELAY = Duration.ofMillis(100);
  private static final Duration EXIT_WAIT = Duration.ofSeconds(10);
  private static final int IO_TIMEOUT_MILLIS = 5_000;

  private static Path executable;

  private final int port;
  private RedisServer redis;
  private long pid = -1;
  private Path registryEntry;
  private boolean closed;

  private EmbeddedRedisServer(int port) {
    this.port = port;
  }

  /**
   * Starts a server, first reaping servers orphaned by dead JVMs.
   *
   * @param port TCP port on 127.0.0.1; 0 picks a free one
   * @throws IllegalStateException naming the port and the cause when the server cannot start
   */
  public static EmbeddedRedisServer start(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    ServerRegistry.reapOrphans();
    int attempts = port == 0 ? PORT_ATTEMPTS : 1;
    for (int attempt = 1; ; attempt++) {
      int chosen = port == 0 ? LoopbackPorts.free() : port;
      if (port != 0) {
        LoopbackPorts.requireFree(port, WHAT);
      }
      EmbeddedRedisServer server = new EmbeddedRedisServer(chosen);
      try {
        synchronized (server) {
          server.launch();
        }
        ServerRegistry.track(server);
        return server;
      } catch (IllegalStateException e) {
        // Retry only when another process took the port we picked in the meantime.
        if (attempt >= attempts || LoopbackPorts.isFree(chosen)) {
          throw e;
        }
      }
    }
  }

  /** TCP port on 127.0.0.1; stays the same across {@link #restart()}. */
  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:PORT}. */
  public String url() {
    return "redis://" + LoopbackPorts.HOST + ":" + port;
  }

  /** Kills the server process (no graceful shutdown, like a crash). No-op when stopped. */
  public synchronized void stop() {
    if (redis == null) {
      return;
    }
    ProcessHandle.of(pid).ifPresent(h -> {
      h.destroyForcibly();
      if (!ServerRegistry.awaitExit(h, EXIT_WAIT)) {
        LOG.warning(() -> "redis pid " + h.pid() + " did not exit in " + EXIT_WAIT);
      }
    });
    try {
      redis.stop();
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "embedded-redis stop after kill", e);
    }
    redis = null;
    ServerRegistry.remove(registryEntry);
    registryEntry = null;
  }

  /**
   * Starts a new, empty server on the same port; stops the running one first if needed.
   *
   * @throws IllegalStateException when closed or when the port cannot be bound again
   */
  public synchronized void restart() {
    if (closed) {
      throw new IllegalStateException(this + " is closed");
    }
    stop();
    for (int attempt = 1; ; attempt++) {
      try {
        launch();
        return;
      } catch (IllegalStateException e) {
        if (attempt >= RESTART_ATTEMPTS || LoopbackPorts.isFree(port)) {
          throw e;
        }
      }
      pause(RESTART_RETRY_DELAY);
    }
  }

  /** PID of the running server process, or of the last one when stopped. */
  public synchronized long pid() {
    return pid;
  }

  /** Kills the server; the instance cannot be restarted afterwards. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    ServerRegistry.untrack(this);
    stop();
  }

  @Override
  public synchronized String toString() {
    return WHAT + " pid " + pid + " on " + LoopbackPorts.HOST + ":" + port
        + (redis == null ? " (stopped)" : "");
  }

  private void launch() {
    RedisServer server;
    try {
      server = RedisServer.builder()
          .redisExecProvider(executable())
          .bind(LoopbackPorts.HOST)
          .port(port)
          .setting("save \"\"")
          .setting("appendonly no")
          .setting("protected-mode yes")
          .build();
      server.start();
    } catch (RuntimeException e) {
      throw new IllegalStateException(WHAT + " failed to start on " + LoopbackPorts.HOST + ":"
          + port + ": " + e.getMessage(), e);
    }
    long serverPid;
    try {
      serverPid = queryPid();
    } catch (IllegalStateException e) {
      server.stop();
      throw e;
    }
    redis = server;
    pid = serverPid;
    registryEntry = ServerRegistry.record(
        ServerRegistry.owned(KIND, serverPid, port, null, false));
    LOG.info(() -> "started " + this);
  }

  /**
   * The bundled binary, copied once to {@code ${java.io.tmpdir}/flowstate-embedded/bin} and
   * shared by all JVMs. By default embedded-redis extracts it (6 MB) to a new temporary directory
   * on every build, deleted only at normal JVM exit: restarts pile copies up, kill -9 leaks them.
   */
  private static synchronized RedisExecProvider executable() {
    try {
      // Re-checked on every start: someone may have cleaned the temporary directory meanwhile.
      if (executable == null || !Files.isExecutable(executable)) {
        executable = sharedBinary();
      }
      OsArchitecture platform = OsArchitecture.detect();
      return RedisExecProvider.defaultProvider()
          .override(platform.os(), platform.arch(), executable.toString());
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(WHAT + " binary cannot be extracted: " + e.getMessage(), e);
    }
  }

  /** The bundled redis-server binary, extracted once to a shared place (also used by the cluster). */
  static Path sharedBinary() throws IOException {
    Path extracted = RedisExecProvider.defaultProvider().get().toPath().toAbsolutePath();
    Path tmpdir = Paths.get(System.getProperty("java.io.tmpdir")).toAbsolutePath();
    // JarUtil extracts into a fresh, digits-named directory directly under java.io.tmpdir;
    // anything else (a binary found in the working directory) is not ours to delete.
    Path parent = extracted.getParent();
    boolean throwaway = parent != null && tmpdir.equals(parent.getParent())
        && parent.getFileName().toString().matches("[0-9]+");
    try {
      Path dir = tmpdir.resolve("flowstate-embedded").resolve("bin");
      Files.createDirectories(dir);
      Path shared = dir.resolve(extracted.getFileName());
      if (!Files.isExecutable(shared) || Files.size(shared) != Files.size(extracted)) {
        Path tmp = Files.createTempFile(dir, extracted.getFileName().toString(), ".tmp");
        Files.copy(extracted, tmp, StandardCopyOption.REPLACE_EXISTING);
        if (!tmp.toFile().setExecutable(true)) {
          throw new IOException("cannot make " + tmp + " executable");
        }
        try {
          Files.move(tmp, shared, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, shared, StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return shared;
    } finally {
      if (throwaway) {
        Files.deleteIfExists(extracted);
        Files.deleteIfExists(parent);
      }
    }
  }

  /**
   * Asks the server for its PID ({@code INFO server}) and checks that it is our child, so a
   * foreign Redis that raced us to the port is never mistaken for ours.
   */
  private long queryPid() {
    String info;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(LoopbackPorts.LOOPBACK, port), IO_TIMEOUT_MILLIS);
      socket.setSoTimeout(IO_TIMEOUT_MILLIS);
      OutputStream out = socket.getOutputStream();
      out.write("INFO server\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(
          new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String header = in.readLine();
      if (header == null || !header.startsWith("$")) {
        throw new IOException("unexpected reply to INFO: " + header);
      }
      StringBuilder body = new StringBuilder();
      int length = Integer.parseInt(header.substring(1));
      while (body.length() < length) {
        String line = in.readLine();
        if (line == null) {
          break;
        }
        body.append(line).append("\r\n");
      }
      info = body.toString();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(WHAT + " on " + LoopbackPorts.HOST + ":" + port
          + " started but does not answer INFO: " + e.getMessage(), e);
    }
    long serverPid = info.lines()
        .filter(l -> l.startsWith("process_id:"))
        .mapToLong(l -> Long.parseLong(l.substring("process_id:".length()).trim()))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException(WHAT + " on " + LoopbackPorts.HOST + ":"
            + port + " reports no process_id"));
    long self = ProcessHandle.current().pid();
    boolean ours = ProcessHandle.of(serverPid)
        .flatMap(ProcessHandle::parent)
        .map(parent -> parent.pid() == self)
        .orElse(false);
    if (!ours) {
      throw new IllegalStateException(WHAT + " cannot start on " + LoopbackPorts.HOST + ":"
          + port + ": another Redis (pid " + serverPid + ") answers on that port");
    }
    return serverPid;
  }

  private static void pause(Duration delay) {
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while restarting " + WHAT, e);
    }
  }
}
