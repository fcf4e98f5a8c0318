package io.flowstate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Resource use of local processes from /proc (Linux): CPU seconds and resident memory. */
public final class ProcStats {
  private static final double TICKS_PER_SECOND = 100.0;

  private ProcStats() {
  }

  /**
   * User + system CPU seconds of {@code pid}; with descendants, also the CPU of its children that
   * already exited (cutime/cstime) and of the live ones (PostgreSQL's backends). NaN if unreadable.
   */
  public static double cpuSeconds(long pid, boolean withDescendants) {
    if (pid <= 0) {
      return Double.NaN;
    }
    double total = cpu(pid, withDescendants);
    if (withDescendants) {
      total += ProcessHandle.of(pid).stream().flatMap(ProcessHandle::children)
          .mapToDouble(h -> cpu(h.pid(), true)).filter(v -> !Double.isNaN(v)).sum();
    }
    return total;
  }

  private static double cpu(long pid, boolean withReapedChildren) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      if (withReapedChildren) {
        ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
      }
      return ticks / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Busy (non-idle, non-iowait) CPU seconds of the whole machine since boot, from /proc/stat; NaN if unreadable. */
  public static double machineBusySeconds() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(f[i]);
        }
      }
      return busy / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** The 1-minute load average, or NaN. */
  public static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** VmRSS of {@code pid} in bytes, or -1. */
  public static long rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** Output of {@code jcmd <pid> <command>}, or an explanation when it could not run. */
  public static String jcmd(long pid, String command) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    try {
      Process p = new ProcessBuilder(Files.exists(jcmd) ? jcmd.toString() : "jcmd", Long.toString(pid), command)
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      p.waitFor(60, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "jcmd failed: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** Asks a local JVM for a full GC ({@code jcmd <pid> GC.run}); false when jcmd is not usable. */
  public static boolean fullGc(long pid) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    try {
      Process p = new ProcessBuilder(Files.exists(jcmd) ? jcmd.toString() : "jcmd", Long.toString(pid), "GC.run")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
