package io.flowstate.gateway.ws;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The live connections of this gateway by session id. Also drives heartbeats: one gateway-wide
 * timer pings every connection and closes those silent for longer than the timeout, so idle
 * connections cost no timer of their own.
 */
public final class SessionRegistry {
  private final Map<String, Session> sessions = new HashMap<>();

  public Session get(String id) {
    return sessions.get(id);
  }

  public int size() {
    return sessions.size();
  }

  public Collection<Session> all() {
    return sessions.values();
  }

  void add(Session session) {
    sessions.put(session.id(), session);
  }

  void remove(Session session) {
    sessions.remove(session.id());
  }

  /** Pings every connection; closes those not heard from within {@code timeoutMs}. */
  void heartbeat(long timeoutMs) {
    long cutoff = System.currentTimeMillis() - timeoutMs;
    for (Session s : sessions.values().toArray(new Session[0])) {
      if (s.lastSeen() < cutoff) {
        s.close((short) 1001, "heartbeat timeout");
      } else {
        s.ping();
      }
    }
  }
}
