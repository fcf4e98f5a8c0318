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
  private final Map<String, Integer> perUser = new HashMap<>();
  private final Map<String, Integer> perIp = new HashMap<>();

  public Session get(String id) {
    return sessions.get(id);
  }

  public int size() {
    return sessions.size();
  }

  public Collection<Session> all() {
    return sessions.values();
  }

  /** Connections of a user on this gateway. */
  public int ofUser(String userId) {
    return perUser.getOrDefault(userId, 0);
  }

  /** Connections from a client address on this gateway. */
  public int ofIp(String ip) {
    return perIp.getOrDefault(ip, 0);
  }

  void add(Session session) {
    sessions.put(session.id(), session);
    perUser.merge(session.user().id(), 1, Integer::sum);
    perIp.merge(session.clientIp(), 1, Integer::sum);
  }

  void remove(Session session) {
    if (sessions.remove(session.id()) != null) {
      perUser.computeIfPresent(session.user().id(), (k, n) -> n > 1 ? n - 1 : null);
      perIp.computeIfPresent(session.clientIp(), (k, n) -> n > 1 ? n - 1 : null);
    }
  }

  /**
   * Pings every connection; closes those whose token expired (1008), those not heard from within
   * {@code timeoutMs}, and with 4008
   * those whose outbound buffer stayed over its limit for two ticks (they could not even take the
   * {@code resync}). Returns the number of slow-consumer closes.
   */
  int heartbeat(long timeoutMs) {
    long cutoff = System.currentTimeMillis() - timeoutMs;
    int slow = 0;
    java.time.Instant now = java.time.Instant.now();
    for (Session s : sessions.values().toArray(new Session[0])) {
      if (s.expired(now)) {
        s.close((short) 1008, "access token expired; reconnect with a new token");
      } else if (s.lastSeen() < cutoff) {
        s.close((short) 1001, "heartbeat timeout");
      } else if (s.congestedTicks() >= 2) {
        s.close((short) 4008, "slow consumer: reconnect and resume with since");
        slow++;
      } else {
        s.ping();
      }
    }
    return slow;
  }
}
