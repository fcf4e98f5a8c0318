package io.flowstate.gateway.relay;

import io.flowstate.gateway.ws.Session;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * One room's committed-event stream on this gateway, shared by all local members. It delivers
 * versions strictly in order, each once: an event above the next expected version is held while
 * the gap is filled from PostgreSQL ({@code repair}), duplicates are dropped. Each event is encoded
 * once and handed to every member; a member that is still loading its join buffers events, and a
 * member whose client is not reading is cut off with {@code resync} instead of slowing the others.
 */
final class RoomFeed {
  /** A local member's position in this feed. */
  static final class Member {
    final Session session;
    final String rid;
    long cursor = -1;
    TreeMap<Long, byte[]> loadingBuffer = new TreeMap<>();

    Member(Session session, String rid) {
      this.session = session;
      this.rid = rid;
    }

    boolean loading() {
      return loadingBuffer != null;
    }
  }

  final String room;
  final Map<String, Member> members = new LinkedHashMap<>();
  /** Completes when the subscription is confirmed and the head read; fails if that failed. */
  final io.vertx.core.Promise<Void> opening = io.vertx.core.Promise.promise();
    /** Highest version fanned out; -1 until the subscription is live and the head is known. */
  long delivered = -1;
  private final TreeMap<Long, byte[]> held = new TreeMap<>();
  private boolean repairing;
  private final LongConsumer repair;
  private final Congestion congestion;
  private final io.micrometer.core.instrument.Counter deliveries;

  /** What to do with a member that fell behind. */
  interface Congestion {
    void behind(RoomFeed feed, Member member);
  }

  RoomFeed(String room, LongConsumer repair, Congestion congestion, io.micrometer.core.instrument.Counter deliveries) {
    this.room = room;
    this.deliveries = deliveries;
    this.repair = repair;
    this.congestion = congestion;
  }

  boolean live() {
    return delivered >= 0;
  }

  /** The subscription is confirmed and the committed head read: start delivering after it. */
  void start(long head) {
    delivered = head;
    release();
  }

  /** A live event from Redis (or a repaired one from PostgreSQL). */
  void offer(long version, String frame) {
    if (live() && version <= delivered) {
      return;
    }
    held.putIfAbsent(version, frame.getBytes(StandardCharsets.UTF_8));
    release();
  }

  /** Events (delivered, upTo] were read from PostgreSQL: deliver them and continue. */
  void repaired() {
    repairing = false;
    release();
  }

  boolean repairing() {
    return repairing;
  }

  /** The next version this feed needs, when a gap blocks delivery; else -1. */
  long missing() {
    if (!live() || held.isEmpty() || held.firstKey() == delivered + 1) {
      return -1;
    }
    return delivered + 1;
  }

  private void release() {
    if (!live()) {
      return;
    }
    while (!held.isEmpty()) {
      long first = held.firstKey();
      if (first <= delivered) {
        held.pollFirstEntry();
      } else if (first == delivered + 1) {
        fanOut(first, held.pollFirstEntry().getValue());
        delivered = first;
      } else {
        if (!repairing) {
          repairing = true;
          repair.accept(first - 1);
        }
        return;
      }
    }
  }

  private void fanOut(long version, byte[] frame) {
    for (Member m : members.values().toArray(new Member[0])) {
      if (m.loading()) {
        m.loadingBuffer.put(version, frame);
      } else if (version == m.cursor + 1) {
        if (m.session.congested()) {
          congestion.behind(this, m);
          continue;
        }
        m.session.sendEncoded(frame);
        deliveries.increment();
        m.cursor = version;
      }
    }
  }

  /** Ends a member's loading phase at {@code version}: sends what it buffered above that. */
  void loaded(Member m, long version) {
    m.cursor = version;
    TreeMap<Long, byte[]> buffer = m.loadingBuffer;
    m.loadingBuffer = null;
    for (Map.Entry<Long, byte[]> e : buffer.tailMap(version, false).entrySet()) {
      if (e.getKey() == m.cursor + 1) {
        m.session.sendEncoded(e.getValue());
        m.cursor = e.getKey();
      }
    }
  }
}
