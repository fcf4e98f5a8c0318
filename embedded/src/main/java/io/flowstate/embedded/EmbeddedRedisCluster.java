package io.flowstate.embedded;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * A real three-master Redis Cluster (the embedded-redis 7 binary, {@code cluster-enabled yes})
 * on loopback ports, for tests of cluster mode and sharded pub/sub. {@link #start()} launches the
 * nodes with their {@code nodes.conf} in a temporary directory, assigns the slots (0-5460,
 * 5461-10922, 10923-16383), joins them with CLUSTER MEET and waits until every node reports
 * {@code cluster_state:ok}. {@link #restartNode} kills one node and starts it again on its port
 * from its {@code nodes.conf}, so it rejoins owning the same slots (empty). Nodes left behind by a
 * killed JVM are reaped like {@link EmbeddedRedisServer}'s. Blocking; never call on an event loop.
 */
public final class EmbeddedRedisCluster implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(EmbeddedRedisCluster.class.getName());
  private static final String KIND = "redis-cluster";
  private static final int NODES = 3;
  private static final int[][] SLOTS = {{0, 5460}, {5461, 10922}, {10923, 16383}};
  private static final Duration READY_WAIT = Duration.ofSeconds(20);
  private static final Duration EXIT_WAIT = Duration.ofSeconds(10);
  private static final int IO_TIMEOUT_MILLIS = 5_000;
  private static final long POLL_MILLIS = 50;
  /** Low, so that a restarted node is accepted back quickly; loopback never partitions. */
  private static final int NODE_TIMEOUT_MILLIS = 2_000;

  private static Path executable;

  private final Path dir;
  private final int[] ports = new int[NODES];
  private final Process[] processes = new Process[NODES];
  private final Path[] registryEntries = new Path[NODES];
  private boolean closed;

  private EmbeddedRedisCluster(Path dir) {
    this.dir = dir;
  }

  /**
   * Starts three nodes on free loopback ports and forms the cluster, first reaping nodes orphaned
   * by dead JVMs.
   *
   * @throws IllegalStateException with the cause when a node cannot start or the cluster does not
   *     become ok within 20 s (everything started is stopped again)
   */
  public static EmbeddedRedisCluster start() {
    ServerRegistry.reapOrphans();
    Path dir;
    try {
      dir = Files.createTempDirectory("flowstate-redis-cluster-");
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a directory for the embedded Redis Cluster", e);
    }
    EmbeddedRedisCluster cluster = new EmbeddedRedisCluster(dir);
    try {
      synchronized (cluster) {
        for (int i = 0; i < NODES; i++) {
          cluster.ports[i] = LoopbackPorts.free();
          cluster.launch(i);
        }
        for (int i = 0; i < NODES; i++) {
          cluster.command(i, "CLUSTER", "ADDSLOTSRANGE", Integer.toString(SLOTS[i][0]),
              Integer.toString(SLOTS[i][1]));
        }
        for (int i = 1; i < NODES; i++) {
          cluster.command(0, "CLUSTER", "MEET", LoopbackPorts.HOST, Integer.toString(cluster.ports[i]));
        }
        cluster.awaitOk();
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    ServerRegistry.track(cluster);
    LOG.info(() -> "started " + cluster);
    return cluster;
  }

  /** Loopback ports of the three nodes, in slot order. */
  public synchronized List<Integer> ports() {
    List<Integer> list = new ArrayList<>();
    for (int port : ports) {
      list.add(port);
    }
    return list;
  }

  /** {@code redis://127.0.0.1:PORT} of every node, each usable as a seed. */
  public List<String> seedUrls() {
    return ports().stream().map(p -> "redis://" + LoopbackPorts.HOST + ":" + p).collect(Collectors.toList());
  }

  /** The seed URLs comma-separated, the form {@code FLOWSTATE_REDIS_URL} takes in cluster mode. */
  public String url() {
    return String.join(",", seedUrls());
  }

  /** The slot of a key or channel as the cluster computes it ({@code CLUSTER KEYSLOT}). */
  public synchronized int slotOf(String key) {
    return Integer.parseInt(command(0, "CLUSTER", "KEYSLOT", key).toString());
  }

  /** Index (0, 1 or 2) of the node that owns the slot of {@code key}. */
  public int nodeOf(String key) {
    int slot = slotOf(key);
    for (int i = 0; i < NODES; i++) {
      if (slot >= SLOTS[i][0] && slot <= SLOTS[i][1]) {
        return i;
      }
    }
    throw new IllegalStateException("slot " + slot + " is not assigned");
  }

  /**
   * Kills node {@code index} (like a crash), starts it again on the same port from its
   * {@code nodes.conf} and waits until the whole cluster is ok again.
   */
  public synchronized void restartNode(int index) {
    if (closed) {
      throw new IllegalStateException(this + " is closed");
    }
    kill(index);
    launch(index);
    awaitOk();
  }

  /** Kills node {@code index} without starting it again (an outage); {@link #restartNode} ends it. */
  public synchronized void stopNode(int index) {
    kill(index);
  }

  /** Blocks until every running node reports {@code cluster_state:ok} and knows all slots. */
  public synchronized void awaitOk() {
    long deadline = System.nanoTime() + READY_WAIT.toNanos();
    String last = "";
    while (true) {
      boolean ok = true;
      for (int i = 0; i < NODES && ok; i++) {
        try {
          String info = command(i, "CLUSTER", "INFO").toString();
          last = "node " + i + ": " + info.lines().filter(l -> l.startsWith("cluster_state")
              || l.startsWith("cluster_known_nodes") || l.startsWith("cluster_slots_ok")).toList();
          ok = info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + NODES)
              && info.contains("cluster_slots_ok:16384");
        } catch (IllegalStateException e) {
          last = "node " + i + ": " + e.getMessage();
          ok = false;
        }
      }
      if (ok) {
        return;
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new IllegalStateException("embedded Redis Cluster in " + dir + " not ok within " + READY_WAIT
            + " (" + last + ")");
      }
      pause();
    }
  }

  /** Stops every node and deletes the directory; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    ServerRegistry.untrack(this);
    for (int i = 0; i < NODES; i++) {
      kill(i);
    }
    ServerRegistry.deleteTree(dir);
  }

  @Override
  public synchronized String toString() {
    return "embedded Redis Cluster on " + LoopbackPorts.HOST + " ports " + ports() + (closed ? " (closed)" : "");
  }

  private void launch(int i) {
    Path nodeDir = dir.resolve("node" + i);
    List<String> args = List.of(executable().toString(),
        "--port", Integer.toString(ports[i]),
        "--bind", LoopbackPorts.HOST,
        "--protected-mode", "yes",
        "--dir", nodeDir.toString(),
        "--save", "",
        "--appendonly", "no",
        "--cluster-enabled", "yes",
        "--cluster-config-file", nodeDir.resolve("nodes.conf").toString(),
        "--cluster-node-timeout", Integer.toString(NODE_TIMEOUT_MILLIS),
        "--logfile", nodeDir.resolve("redis.log").toString());
    Process process;
    try {
      Files.createDirectories(nodeDir);
      process = new ProcessBuilder(args).redirectErrorStream(true)
          .redirectOutput(nodeDir.resolve("stdout.log").toFile()).start();
    } catch (IOException e) {
      throw new IllegalStateException("embedded Redis Cluster node " + i + " cannot start on port " + ports[i]
          + ": " + e.getMessage(), e);
    }
    processes[i] = process;
    registryEntries[i] = ServerRegistry.record(ServerRegistry.owned(KIND, process.pid(), ports[i], dir, true));
    long deadline = System.nanoTime() + READY_WAIT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("embedded Redis Cluster node " + i + " exited with " + process.exitValue()
            + " on port " + ports[i] + " (log in " + nodeDir + ")");
      }
      try {
        if ("PONG".equals(command(i, "PING").toString())) {
          return;
        }
      } catch (IllegalStateException e) {
        if (System.nanoTime() - deadline >= 0) {
          throw new IllegalStateException("embedded Redis Cluster node " + i + " does not answer on port "
              + ports[i] + ": " + e.getMessage(), e);
        }
      }
      pause();
    }
  }

  private void kill(int i) {
    Process p = processes[i];
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    if (!ServerRegistry.awaitExit(p.toHandle(), EXIT_WAIT)) {
      LOG.warning(() -> "redis cluster node pid " + p.pid() + " did not exit in " + EXIT_WAIT);
    }
    processes[i] = null;
    ServerRegistry.remove(registryEntries[i]);
    registryEntries[i] = null;
  }

  /** Sends one command to node {@code i} on a fresh socket and returns the decoded reply. */
  private Object command(int i, String... args) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(LoopbackPorts.LOOPBACK, ports[i]), IO_TIMEOUT_MILLIS);
      socket.setSoTimeout(IO_TIMEOUT_MILLIS);
      OutputStream out = socket.getOutputStream();
      StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
      for (String arg : args) {
        byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
        request.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
      }
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      Object reply = read(new BufferedInputStream(socket.getInputStream()));
      if (reply instanceof RedisError error) {
        throw new IllegalStateException("node " + i + " answered " + String.join(" ", args) + " with " + error.message);
      }
      return reply;
    } catch (IOException e) {
      throw new IllegalStateException("node " + i + " on port " + ports[i] + ": " + e.getMessage(), e);
    }
  }

  private record RedisError(String message) {
  }

  /** A minimal RESP2 reader: simple strings, errors, integers, bulk strings and arrays. */
  private static Object read(InputStream in) throws IOException {
    int type = in.read();
    String line = readLine(in);
    switch (type) {
      case '+':
        return line;
      case '-':
        return new RedisError(line);
      case ':':
        return Long.parseLong(line);
      case '$': {
        int length = Integer.parseInt(line);
        if (length < 0) {
          return null;
        }
        byte[] bytes = in.readNBytes(length + 2);
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
      }
      case '*': {
        int count = Integer.parseInt(line);
        List<Object> items = new ArrayList<>();
        for (int k = 0; k < count; k++) {
          items.add(read(in));
        }
        return items;
      }
      default:
        throw new IOException("unexpected reply type " + type);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\r') {
        in.read();
        break;
      }
      line.write(b);
    }
    return line.toString(StandardCharsets.UTF_8);
  }

  private static void pause() {
    try {
      Thread.sleep(POLL_MILLIS); // plain blocking test support, never on an event loop
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the embedded Redis Cluster", e);
    }
  }

  /**
   * The bundled binary, copied once to {@code ${java.io.tmpdir}/flowstate-embedded/bin} and shared
   * with {@link EmbeddedRedisServer} (same place, same name, same size check).
   */
  private static synchronized Path executable() {
    try {
      if (executable == null || !Files.isExecutable(executable)) {
        executable = EmbeddedRedisServer.sharedBinary();
      }
      return executable;
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("embedded Redis binary cannot be extracted: " + e.getMessage(), e);
    }
  }
}
