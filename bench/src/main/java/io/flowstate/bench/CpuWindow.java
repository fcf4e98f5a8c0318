package io.flowstate.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * CPU used by each local component during a scenario (percent of one core; 200% = both cores of
 * a 2-core machine), to show which resource was saturated. Components the generator does not know
 * the PID of, and processes that died during the window (a killed gateway), are left out.
 */
public final class CpuWindow {
  private record Component(String name, List<Long> pids, boolean descendants, double[] before) {
  }

  private final long start = System.nanoTime();
  private final List<Component> components = new ArrayList<>();
  private final double machineBefore = ProcStats.machineBusySeconds();

  public CpuWindow(Target target) {
    List<Long> gateways = new ArrayList<>();
    for (int i = 0; i < target.gateways().size(); i++) {
      gateways.add(target.gatewayPid(i));
    }
    add("cpu gateways", gateways, false);
    add("cpu sequencer", List.of(target.sequencerPid()), false);
    add("cpu postgresql", List.of(target.postgresPid()), true);
    add("cpu redis", List.of(target.redisPid()), false);
    add("cpu load generator", List.of(ProcessHandle.current().pid()), false);
  }

  private void add(String name, List<Long> pids, boolean descendants) {
    double[] before = new double[pids.size()];
    for (int i = 0; i < pids.size(); i++) {
      before[i] = ProcStats.cpuSeconds(pids.get(i), descendants);
    }
    components.add(new Component(name, pids, descendants, before));
  }

  /** Adds cpu rows for the time since construction. */
  public void report(Report report, String scenario) {
    double wall = (System.nanoTime() - start) / 1e9;
    for (Component c : components) {
      double used = 0;
      boolean any = false;
      for (int i = 0; i < c.pids().size(); i++) {
        double after = ProcStats.cpuSeconds(c.pids().get(i), c.descendants());
        if (!Double.isNaN(after) && !Double.isNaN(c.before()[i])) {
          used += after - c.before()[i];
          any = true;
        }
      }
      if (any) {
        report.add(scenario, c.name(), 100 * used / wall, "% core");
      }
    }
    double machine = ProcStats.machineBusySeconds() - machineBefore;
    if (!Double.isNaN(machine)) {
      // Everything busy on the machine, including other people's processes (a shared machine is noisy).
      report.add(scenario, "cpu whole machine", 100 * machine / wall, "% core");
    }
    report.add(scenario, "load average (1 min) at end", ProcStats.loadAverage(), "");
  }
}
