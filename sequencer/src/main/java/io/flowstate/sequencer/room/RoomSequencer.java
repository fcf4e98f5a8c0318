package io.flowstate.sequencer.room;

import io.flowstate.sequencer.publish.CommitPublisher;
import io.flowstate.sequencer.publish.CommitPublisher.Reply;
import io.flowstate.sequencer.store.OpStore;
import io.flowstate.sequencer.store.OpStore.CommitRow;
import io.flowstate.sequencer.store.OpStore.DuplicateOpException;
import io.flowstate.sequencer.store.OpStore.OpKey;
import io.flowstate.shared.canvas.CanvasOp;
import io.flowstate.shared.canvas.Reducer;
import io.flowstate.shared.channel.Channels;
import io.flowstate.shared.config.SequencerConfig;
import io.flowstate.shared.protocol.Delivery;
import io.flowstate.shared.protocol.ErrorCode;
import io.flowstate.shared.protocol.FlowStateException;
import io.flowstate.shared.protocol.Json;
import io.flowstate.shared.protocol.OpEvent;
import io.flowstate.shared.protocol.ServerFrames;
import io.flowstate.shared.protocol.Submission;
import io.flowstate.shared.store.OpLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Orders, validates and group-commits the ops of the rooms this sequencer owns. Submissions are
 * processed in arrival order (so FIFO per connection and room holds); one group is in flight at
 * a time and everything that arrived meanwhile forms the next group, so the group size follows
 * the load. Per group: load missing rooms, apply each op to its room's in-memory state (assigning
 * head + 1), write all rows in one statement, then publish events and replies. Nothing is
 * published before its commit; on a failed commit the touched rooms are dropped from memory and
 * reloaded from PostgreSQL, and their submitters get {@code unavailable} (they retry, idempotently).
 * Runs on one Vert.x context; not thread-safe.
 */
public final class RoomSequencer {
  private static final Logger LOG = Logger.getLogger(RoomSequencer.class.getName());

  private final Vertx vertx;
  private final SequencerConfig config;
  private final ShardOwnership ownership;
  private final OpStore store;
  private final OpLog log;
  private final CommitPublisher publisher;
  private final Reducer reducer;
  private final Map<String, Room> rooms = new HashMap<>();
  private final ArrayDeque<Submission> queue = new ArrayDeque<>();
  private final Map<OpKey, Long> knownDuplicates = new HashMap<>();
  private boolean inFlight;
  private long committedOps;
  private long commits;

  public RoomSequencer(Vertx vertx, SequencerConfig config, ShardOwnership ownership, OpStore store, OpLog log,
      CommitPublisher publisher) {
    this.vertx = vertx;
    this.config = config;
    this.ownership = ownership;
    this.store = store;
    this.log = log;
    this.publisher = publisher;
    this.reducer = new Reducer(config.canvasLimits());
  }

  /** Accepts a submission for a room of an owned shard; others are ignored (not ours). */
  public void submit(Submission s) {
    if (!ownership.owns(Channels.shardOf(s.room(), config.shardCount()))) {
      return;
    }
    queue.add(s);
    drain();
  }

  /** Ops committed since start, and commit round trips; for metrics and benchmarks. */
  public long committedOps() {
    return committedOps;
  }

  public long commits() {
    return commits;
  }

  public int loadedRooms() {
    return rooms.size();
  }

  /** Drops rooms idle for longer than the configured time (they reload on next use). */
  public void evictIdle() {
    if (inFlight) {
      return;
    }
    long cutoff = System.currentTimeMillis() - config.roomIdleEvictMs();
    rooms.values().removeIf(r -> r.lastUsed < cutoff);
  }

  private void drain() {
    if (inFlight || queue.isEmpty()) {
      return;
    }
    inFlight = true;
    List<Submission> group = new ArrayList<>(Math.min(queue.size(), config.maxCommitBatch()));
    while (!queue.isEmpty() && group.size() < config.maxCommitBatch()) {
      group.add(queue.poll());
    }
    loadRooms(group)
        .compose(unloaded -> process(group, unloaded))
        .onComplete(ar -> {
          if (ar.failed()) {
            LOG.log(Level.SEVERE, "commit group failed unexpectedly", ar.cause());
          }
          inFlight = false;
          drain();
        });
  }

  private Future<Set<String>> loadRooms(List<Submission> group) {
    Set<String> missing = new LinkedHashSet<>();
    for (Submission s : group) {
      if (!rooms.containsKey(s.room())) {
        missing.add(s.room());
      }
    }
    Set<String> unloaded = new HashSet<>();
    List<Future<Room>> loads = new ArrayList<>();
    for (String id : missing) {
      loads.add(load(id).onSuccess(room -> rooms.put(id, room)).onFailure(e -> {
        LOG.log(Level.WARNING, "cannot load room " + id + ": " + e.getMessage());
        unloaded.add(id);
      }));
    }
    return Future.join(loads).transform(ar -> Future.succeededFuture(unloaded));
  }

  private Future<Room> load(String id) {
    return log.head(id).compose(head -> log.stateAt(id, head, reducer)
        .compose(state -> store.recentKeys(id, config.dedupCacheSize()).map(keys -> {
          Map<String, Long> loaded = new HashMap<>();
          keys.forEach(k -> loaded.put(Room.key(k.getKey().author(), k.getKey().clientOpId()), k.getValue()));
          return new Room(id, state.state(), head, loaded, keys.size() >= head, config.dedupCacheSize());
        })));
  }

  /** One submission's outcome within a group. */
  private record Rejected(Submission submission, FlowStateException error) {
  }

  private Future<Void> process(List<Submission> group, Set<String> unloaded) {
    Instant at = Instant.now();
    long now = System.currentTimeMillis();
    List<CommitRow> rows = new ArrayList<>();
    List<Submission> applied = new ArrayList<>();
    List<Reply> replies = new ArrayList<>();
    List<Rejected> rejected = new ArrayList<>();
    Map<OpKey, Long> inGroup = new HashMap<>();
    Set<String> touched = new HashSet<>();
    for (Submission s : group) {
      if (unloaded.contains(s.room())) {
        replies.add(error(s, new FlowStateException(ErrorCode.UNAVAILABLE, "room is temporarily unavailable")));
        continue;
      }
      Room room = rooms.get(s.room());
      room.lastUsed = now;
      OpKey key = new OpKey(s.room(), s.author().id(), s.id());
      Long version = room.committedVersion(Room.key(s.author().id(), s.id()));
      if (version == null) {
        version = knownDuplicates.remove(key);
      }
      if (version == null) {
        version = inGroup.get(key);
      }
      if (version != null) {
        replies.add(duplicate(s, version));
        continue;
      }
      try {
        CanvasOp op = parseAction(s);
        CanvasOp inverse = reducer.applyInPlace(room.state, op);
        long next = room.head + 1;
        room.head = next;
        touched.add(room.id);
        inGroup.put(key, next);
        OpEvent event = new OpEvent(s.room(), next, s.id(), s.author(), op.toJson(), at, null, null);
        rows.add(new CommitRow(event, Json.write(event.op()), Json.write(inverse.toJson())));
        applied.add(s);
      } catch (FlowStateException e) {
        rejected.add(new Rejected(s, e));
      }
    }
    Future<Void> committed = rows.isEmpty() ? Future.succeededFuture() : store.commit(rows);
    return committed.transform(ar -> {
      if (ar.succeeded()) {
        return afterCommit(rows, replies, rejected);
      }
      touched.forEach(rooms::remove);
      if (ar.cause() instanceof DuplicateOpException) {
        return requeueAfterDuplicate(group);
      }
      LOG.log(Level.WARNING, "commit of " + rows.size() + " ops failed: " + ar.cause().getMessage());
      List<Reply> failed = new ArrayList<>(replies);
      for (Submission s : applied) {
        failed.add(error(s,
            new FlowStateException(ErrorCode.UNAVAILABLE, "the op could not be committed; retry with the same id")));
      }
      for (Rejected r : rejected) {
        failed.add(error(r.submission(),
            new FlowStateException(ErrorCode.UNAVAILABLE, "the op could not be checked; retry with the same id")));
      }
      return publisher.publish(List.of(), failed).recover(e -> Future.succeededFuture());
    });
  }

  private CanvasOp parseAction(Submission s) {
    if (!Submission.OP.equals(s.action())) {
      throw new FlowStateException(ErrorCode.BAD_REQUEST, "'" + s.action() + "' is not supported by this server yet");
    }
    return reducer.parse(s.op());
  }

  private Future<Void> afterCommit(List<CommitRow> rows, List<Reply> replies, List<Rejected> rejected) {
    List<OpEvent> events = new ArrayList<>(rows.size());
    for (CommitRow row : rows) {
      OpEvent e = row.event();
      Room room = rooms.get(e.room());
      if (room != null) {
        room.remember(Room.key(e.author().id(), e.id()), e.version());
      }
      events.add(e);
    }
    if (!rows.isEmpty()) {
      commits++;
      committedOps += rows.size();
    }
    return resolveRejections(rejected, replies)
        .compose(v -> publisher.publish(events, replies))
        .recover(e -> {
          LOG.log(Level.WARNING, "publishing " + events.size() + " committed events failed (gateways will repair "
              + "from PostgreSQL): " + e.getMessage());
          return Future.succeededFuture();
        });
  }

  /**
   * A rejected op may be the retry of an op committed before this room was loaded (e.g. a create
   * whose shape now exists): look such ids up before reporting the error.
   */
  private Future<Void> resolveRejections(List<Rejected> rejected, List<Reply> replies) {
    List<OpKey> unknown = new ArrayList<>();
    for (Rejected r : rejected) {
      Room room = rooms.get(r.submission().room());
      if (room == null || !room.keysComplete()) {
        unknown.add(keyOf(r.submission()));
      }
    }
    return store.lookup(unknown).recover(e -> Future.succeededFuture(Map.of())).map(found -> {
      for (Rejected r : rejected) {
        Long version = found.get(keyOf(r.submission()));
        replies.add(version != null ? duplicate(r.submission(), version) : error(r.submission(), r.error()));
      }
      return null;
    });
  }

  private Future<Void> requeueAfterDuplicate(List<Submission> group) {
    List<OpKey> keys = new ArrayList<>();
    group.forEach(s -> keys.add(keyOf(s)));
    return store.lookup(keys).transform(ar -> {
      if (ar.succeeded()) {
        knownDuplicates.putAll(ar.result());
        for (int i = group.size() - 1; i >= 0; i--) {
          queue.addFirst(group.get(i));
        }
        return Future.succeededFuture();
      }
      List<Reply> failed = new ArrayList<>();
      group.forEach(s -> failed.add(error(s, new FlowStateException(ErrorCode.UNAVAILABLE,
          "the op could not be committed; retry with the same id"))));
      return publisher.publish(List.of(), failed).recover(e -> Future.succeededFuture());
    });
  }

  private static OpKey keyOf(Submission s) {
    return new OpKey(s.room(), s.author().id(), s.id());
  }

  private static Reply duplicate(Submission s, long version) {
    return new Reply(s.gateway(), new Delivery(s.conn(), s.room(), s.author().id(), s.id(),
        ServerFrames.duplicateAck(s.room(), s.id(), version, s.rid())));
  }

  private static Reply error(Submission s, FlowStateException e) {
    return new Reply(s.gateway(), new Delivery(s.conn(), s.room(), s.author().id(), s.id(),
        ServerFrames.error(e.code(), e.getMessage(), s.rid(), s.room(), s.id())));
  }
}
