package io.flowstate.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Thread-safe event counts of one scenario, shared by all of its clients. */
public final class Counters {
  public final LongAdder sent = new LongAdder();
  public final LongAdder acked = new LongAdder();
  public final LongAdder duplicateAcks = new LongAdder();
  /** Ops re-sent with the same id after {@code unavailable}. */
  public final LongAdder retries = new LongAdder();
  public final LongAdder deliveries = new LongAdder();
  public final LongAdder resyncs = new LongAdder();
  public final LongAdder closes = new LongAdder();
  public final LongAdder snapshotJoins = new LongAdder();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

  public void error(String code) {
    errors.computeIfAbsent(code == null ? "unknown" : code, c -> new LongAdder()).increment();
  }

  public long errorCount() {
    return errors.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Error counts by code, sorted. */
  public Map<String, Long> errors() {
    Map<String, Long> out = new TreeMap<>();
    errors.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
