package io.flowstate.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Records every embedded server this JVM starts in a directory shared by all JVMs of the user,
 * so that a later start can kill servers whose owner JVM died without closing them (kill -9)
 * and delete their throwaway data directories. Also owns the one shutdown hook that closes
 * servers still running when this JVM exits normally.
 */
final class ServerRegistry {
  /** A server as recorded on disk: who owns it, which process it is, what to delete. */
  record Entry(String kind, long ownerPid, long ownerStartMillis, long serverPid,
      long serverStartMillis, int port, Path dataDir, boolean deleteDataDir) {
  }

  private static final Logger LOG = Logger.getLogger(ServerRegistry.class.getName());
  private static final String SUFFIX = ".server";
  /** Start instants are derived from clock ticks; allow for rounding between JVMs. */
  private static final long START_TOLERANCE_MILLIS = 1_000;
  private static final Duration GRACEFUL_STOP = Duration.ofSeconds(3);
  private static final Duration FORCED_STOP = Duration.ofSeconds(5);
  private static final long EXIT_POLL_MILLIS = 20;

  private static final Set<AutoCloseable> LIVE = ConcurrentHashMap.newKeySet();
  private static final AtomicBoolean HOOK_INSTALLED = new AtomicBoolean();

  private ServerRegistry() {
  }

  /** The registry directory; {@code flowstate.embedded.registry} overrides the default. */
  static Path directory() {
    String override = System.getProperty("flowstate.embedded.registry");
    Path dir = override != null
        ? Paths.get(override)
        : Paths.get(System.getProperty("java.io.tmpdir"), "flowstate-embedded", "registry");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create embedded server registry " + dir, e);
    }
    return dir;
  }

  /** An entry for a server owned by this JVM. */
  static Entry owned(String kind, long serverPid, int port, Path dataDir, boolean deleteDataDir) {
    ProcessHandle self = ProcessHandle.current();
    return new Entry(kind, self.pid(), startMillis(self), serverPid,
        ProcessHandle.of(serverPid).map(ServerRegistry::startMillis).orElse(0L),
        port, dataDir, deleteDataDir);
  }

  /** Writes an entry atomically and returns its file, to pass to {@link #remove}. */
  static Path record(Entry entry) {
    Properties p = new Properties();
    p.setProperty("kind", entry.kind());
    p.setProperty("owner.pid", Long.toString(entry.ownerPid()));
    p.setProperty("owner.start", Long.toString(entry.ownerStartMillis()));
    p.setProperty("server.pid", Long.toString(entry.serverPid()));
    p.setProperty("server.start", Long.toString(entry.serverStartMillis()));
    p.setProperty("port", Integer.toString(entry.port()));
    p.setProperty("dataDir", entry.dataDir() == null ? "" : entry.dataDir().toString());
    p.setProperty("deleteDataDir", Boolean.toString(entry.deleteDataDir()));
    Path dir = directory();
    String name = entry.kind() + "-" + entry.port() + "-" + entry.ownerPid() + "-"
        + UUID.randomUUID().toString().substring(0, 8);
    Path tmp = dir.resolve(name + ".tmp");
    Path file = dir.resolve(name + SUFFIX);
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        p.store(out, "FlowState embedded server");
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot record embedded server in " + dir, e);
    }
    return file;
  }

  static void remove(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.log(Level.FINE, "cannot delete registry entry " + file, e);
    }
  }

  /**
   * Kills every recorded server whose owner JVM is gone and deletes its throwaway data
   * directory. Entries of live owners are left alone. Returns the entries it reaped.
   */
  static synchronized List<Entry> reapOrphans() {
    List<Entry> reaped = new ArrayList<>();
    Path dir = directory();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path file : files) {
        Optional<Entry> entry = read(file);
        if (entry.isEmpty()) {
          continue;
        }
        Entry e = entry.get();
        if (isAlive(e.ownerPid(), e.ownerStartMillis())) {
          continue;
        }
        kill(e);
        if (e.deleteDataDir() && e.dataDir() != null) {
          deleteTree(e.dataDir());
        }
        remove(file);
        reaped.add(e);
        LOG.info(() -> "reaped orphaned embedded " + e.kind() + " pid " + e.serverPid()
            + " on port " + e.port() + " (owner JVM " + e.ownerPid() + " is gone)");
      }
    } catch (IOException ex) {
      LOG.log(Level.WARNING, "cannot scan embedded server registry " + dir, ex);
    }
    // Half-written entries of JVMs that died while recording.
    try (DirectoryStream<Path> tmps = Files.newDirectoryStream(dir, "*.tmp")) {
      for (Path tmp : tmps) {
        if (Files.getLastModifiedTime(tmp).toInstant().isBefore(Instant.now().minusSeconds(60))) {
          remove(tmp);
        }
      }
    } catch (IOException ex) {
      LOG.log(Level.FINE, "cannot clean temporary registry files", ex);
    }
    return reaped;
  }

  /** Whether {@code pid} is alive and is the same process that started at {@code startMillis}. */
  static boolean isAlive(long pid, long startMillis) {
    if (pid <= 0) {
      return false;
    }
    return ProcessHandle.of(pid)
        .filter(ServerRegistry::isRunning)
        .filter(h -> sameStart(h, startMillis))
        .isPresent();
  }

  /**
   * Whether the process still runs. Unlike {@link ProcessHandle#isAlive()} a zombie counts as
   * dead: a killed JVM or server stays a zombie until its parent reaps it, and in containers
   * whose init does not reap, that is forever.
   */
  static boolean isRunning(ProcessHandle process) {
    if (!process.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Paths.get("/proc", Long.toString(process.pid()), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X' && state != 'x';
    } catch (IOException | RuntimeException e) {
      return process.isAlive(); // no procfs (macOS), or the process has just gone
    }
  }

  /** Waits until the process no longer runs (see {@link #isRunning}) or the timeout passes. */
  static boolean awaitExit(ProcessHandle process, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (isRunning(process)) {
      if (System.nanoTime() - deadline >= 0) {
        LOG.fine(() -> "process " + process.pid() + " did not exit in " + timeout);
        return false;
      }
      try {
        // Plain blocking code, never on an event loop; onExit() would treat zombies as alive.
        Thread.sleep(EXIT_POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return !isRunning(process);
      }
    }
    return true;
  }

  /** Closes {@code server} from the shutdown hook unless it was closed before JVM exit. */
  static void track(AutoCloseable server) {
    LIVE.add(server);
    if (HOOK_INSTALLED.compareAndSet(false, true)) {
      Runtime.getRuntime().addShutdownHook(new Thread(ServerRegistry::closeAll,
          "flowstate-embedded-shutdown"));
    }
  }

  static void untrack(AutoCloseable server) {
    LIVE.remove(server);
  }

  /**
   * Stops a process politely (SIGTERM, which PostgreSQL treats as a smart shutdown and Redis
   * as a clean exit), then forcibly, together with the children it leaves behind.
   */
  static void terminate(ProcessHandle process, boolean graceful) {
    List<ProcessHandle> children = process.descendants().toList();
    if (graceful && process.destroy()) {
      awaitExit(process, GRACEFUL_STOP);
    }
    if (isRunning(process)) {
      process.destroyForcibly();
      awaitExit(process, FORCED_STOP);
    }
    for (ProcessHandle child : children) {
      if (isRunning(child)) {
        child.destroyForcibly();
      }
    }
  }

  static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
          Files.deleteIfExists(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot delete " + root, e);
    }
  }

  static long startMillis(ProcessHandle process) {
    return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
  }

  private static void kill(Entry e) {
    Optional<ProcessHandle> server = ProcessHandle.of(e.serverPid())
        .filter(h -> sameStart(h, e.serverStartMillis()));
    server.ifPresent(h -> terminate(h, "postgres".equals(e.kind())));
  }

  private static boolean sameStart(ProcessHandle process, long expectedMillis) {
    if (expectedMillis == 0) {
      return true;
    }
    long actual = startMillis(process);
    return actual == 0 || Math.abs(actual - expectedMillis) <= START_TOLERANCE_MILLIS;
  }

  private static Optional<Entry> read(Path file) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
      String dataDir = p.getProperty("dataDir", "");
      return Optional.of(new Entry(
          p.getProperty("kind", "unknown"),
          Long.parseLong(p.getProperty("owner.pid")),
          Long.parseLong(p.getProperty("owner.start", "0")),
          Long.parseLong(p.getProperty("server.pid")),
          Long.parseLong(p.getProperty("server.start", "0")),
          Integer.parseInt(p.getProperty("port", "0")),
          dataDir.isEmpty() ? null : Paths.get(dataDir),
          Boolean.parseBoolean(p.getProperty("deleteDataDir", "false"))));
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "ignoring unreadable registry entry " + file, e);
      remove(file);
      return Optional.empty();
    }
  }

  private static void closeAll() {
    for (AutoCloseable server : List.copyOf(LIVE)) {
      try {
        server.close();
      } catch (Exception e) {
        LOG.log(Level.WARNING, "cannot close " + server + " at JVM exit", e);
      }
    }
  }
}
