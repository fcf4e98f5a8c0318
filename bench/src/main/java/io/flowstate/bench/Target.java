package io.flowstate.bench;

import java.util.List;

/**
 * The FlowState deployment under load: its gateways' {@code host:port}s and, when known, the
 * Redis and PostgreSQL it uses (for the baselines and the history seed) and the PIDs of its
 * processes (for memory and CPU figures, and for the resume storm's kill -9).
 */
public interface Target extends AutoCloseable {
  List<String> gateways();

  /** The PostgreSQL database FlowState writes to, or null when unknown (baselines skipped). */
  String pgUrl();

  /** The Redis FlowState uses, or null when unknown. */
  String redisUrl();

  /** PID of gateway {@code i}, or -1 when it is not a local process the generator knows. */
  default long gatewayPid(int i) {
    return -1;
  }

  default long sequencerPid() {
    return -1;
  }

  default long postgresPid() {
    return -1;
  }

  default long redisPid() {
    return -1;
  }

  /** {@code host:port} serving the sequencer's /metrics, or null. */
  default String sequencerMetrics() {
    return null;
  }

  /** Whether {@link #kill} works (the generator started the gateways itself). */
  default boolean canKill() {
    return false;
  }

  /** kill -9 of gateway {@code i}. */
  default void kill(int i) {
    throw new UnsupportedOperationException("this target cannot kill gateways");
  }

  /** Starts gateway {@code i} again (same port) and waits until it is ready. */
  default void restart(int i) {
    throw new UnsupportedOperationException("this target cannot restart gateways");
  }

  /** One line for the report: what runs where. */
  String describe();

  @Override
  default void close() {
  }
}
