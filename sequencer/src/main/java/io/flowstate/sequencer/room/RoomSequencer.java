package io.flowstate.sequencer.room;

import io.flowstate.sequencer.publish.CommitPublisher;
import io.flowstate.sequencer.publish.CommitPublisher.Reply;
import io.flowstate.sequencer.store.OpStore;
import io.flowstate.sequencer.store.OpStore.CommitRow;
import io.flowstate.sequencer.store.OpStore.DuplicateOpException;
import io.flowstate.sequencer.store.OpStore.OpKey;
import io.flowstate.shared.access.AccessCache;
import io.flowstate.shared.access.RoomAccess;
import io.flowstate.shared.canvas.CanvasOp;
import io.flowstate.shared.canvas.Reducer;
import io.flowstate.shared.canvas.UndoRule;
import io.flowstate.sequencer.store.SnapshotWriter;
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
import io.flowstate.shared.log.Log;
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
  /** Replays committed ops without size limits: they were accepted under the limits of their time. */
  private final Reducer replayer = new Reducer(io.flowstate.shared.canvas.CanvasLimits.replay());
  private final SnapshotWriter snapshots;
  private final io.flowstate.shared.access.AccessCache access;
  private final io.flowstate.shared.metrics.Metrics metrics;
  private final io.micrometer.core.instrument.Timer commitLatency;
  private final io.micrometer.core.instrument.DistributionSummary commitBatch;
  private final Map<String, Room> rooms = new HashMap<>();
  private final ArrayDeque<Submission> queue = new ArrayDeque<>();
  private final Map<OpKey, Long> knownDuplicates = new HashMap<>();
  private boolean inFlight;
  private final Set<Integer> forgetting = new HashSet<>();
  /** Groups still to commit one submission at a time, after a group failed on bad data. */
  private int isolate;
  private long committedOps;
  private volatile long fencedCommits;
  private long commits;
  private long snapshotMismatches;
  private int snapshotsInFlight;
  private static final int MAX_SNAPSHOTS_IN_FLIGHT = 2;

  public RoomSequencer(Vertx vertx, SequencerConfig config, ShardOwnership ownership, OpStore store, OpLog log,
      CommitPublisher publisher, SnapshotWriter snapshots, io.flowstate.shared.access.AccessCache access,
      io.flowstate.shared.metrics.Metrics metrics) {
    this.access = access;
    this.vertx = vertx;
    this.config = config;
    this.ownership = ownership;
    this.store = store;
    this.log = log;
    this.publisher = publisher;
    this.reducer = new Reducer(config.canvasLimits());
    this.snapshots = snapshots;
    this.metrics = metrics;
    this.commitLatency = metrics.timer("flowstate.commit.latency", "one group commit round trip to PostgreSQL");
    this.commitBatch = metrics.summary("flowstate.commit.batch", "ops per group commit");
    metrics.gauge("flowstate.sequencer.rooms", "rooms loaded in memory", rooms::size);
    metrics.gauge("flowstate.sequencer.queue", "submissions waiting for the next group", queue::size);
  }

  /** Accepts a submission for a room of an owned shard; others are ignored (not ours). */
  public void submit(Submission s) {
    if (!ownership.owns(Channels.shardOf(s.room(), config.shardCount()))) {
      return;
    }
    queue.add(s);
    drain();
  }

  /** Whether nothing is queued or being committed (a drained sequencer may stop). */
  public boolean idle() {
    return !inFlight && queue.isEmpty() && snapshotsInFlight == 0;
  }

  /** Ops committed since start, and commit round trips; for metrics and benchmarks. */
  public long committedOps() {
    return committedOps;
  }

  /** Commits refused because this sequencer no longer held a shard's lease. */
  public long fencedCommits() {
    return fencedCommits;
  }

  public long commits() {
    return commits;
  }

  /** Rooms whose stored snapshot disagreed with a full replay of their log when loaded. */
  public long snapshotMismatches() {
    return snapshotMismatches;
  }

  /** Snapshots rooms that changed but were not snapshotted for the configured time. */
  public void snapshotStale() {
    long cutoff = System.currentTimeMillis() - config.snapshotEveryMs();
    for (Room room : rooms.values()) {
      if (room.head > room.snapshotVersion && room.snapshotAt <= cutoff) {
        snapshot(room);
      }
    }
  }

  private void snapshot(Room room) {
    if (room.snapshotting || snapshotsInFlight >= MAX_SNAPSHOTS_IN_FLIGHT) {
      return;
    }
    long version = room.head;
    room.snapshotting = true;
    snapshotsInFlight++;
    snapshots.write(room.id, version).onComplete(ar -> {
      room.snapshotting = false;
      snapshotsInFlight--;
      if (ar.succeeded()) {
        metrics.counter("flowstate.snapshots.written").increment();
        room.snapshotVersion = Math.max(room.snapshotVersion, version);
        room.snapshotAt = System.currentTimeMillis();
      } else {
        Log.event(LOG, Level.WARNING, "snapshot failed: " + ar.cause().getMessage(), null, "room", room.id,
            "version", version);
      }
    });
  }

  /**
   * Ops between snapshots of a room: the configured count plus up to a quarter of it, fixed per
   * room, so that rooms written at the same rate do not all snapshot in the same group (the
   * benchmark saw such a storm as a latency spike).
   */
  private int snapshotThreshold(String room) {
    int every = config.snapshotEveryOps();
    return every + Math.floorMod(room.hashCode(), Math.max(1, every / 4));
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
    int size = isolate > 0 ? 1 : config.maxCommitBatch();
    isolate = Math.max(0, isolate - 1);
    List<Submission> group = new ArrayList<>(Math.min(queue.size(), size));
    while (!queue.isEmpty() && group.size() < size) {
      group.add(queue.poll());
    }
    resolveAccess(group).compose(roles -> loadRooms(group, roles)
        .compose(unloaded -> loadHistories(group, unloaded).map(unloaded))
        .compose(unloaded -> process(group, unloaded, roles)))
        .onComplete(ar -> {
          if (ar.failed()) {
            LOG.log(Level.SEVERE, "commit group failed unexpectedly", ar.cause());
          }
          inFlight = false;
          applyForget();
          drain();
        });
  }

  /** Loads the rooms that submissions may write to (a refused one costs no load). */
  private Future<Set<String>> loadRooms(List<Submission> group, Map<AccessCache.Key, RoomAccess> roles) {
    Set<String> missing = new LinkedHashSet<>();
    for (Submission s : group) {
      if (!rooms.containsKey(s.room()) && mayWrite(roles.get(new AccessCache.Key(s.room(), s.author().id())))) {
        missing.add(s.room());
      }
    }
    Set<String> unloaded = new HashSet<>();
    List<Future<Room>> loads = new ArrayList<>();
    for (String id : missing) {
      loads.add(load(id).onSuccess(room -> rooms.put(id, room)).onFailure(e -> {
        Log.event(LOG, Level.WARNING, "cannot load room: " + e.getMessage(), null, "room", id);
        unloaded.add(id);
      }));
    }
    return Future.join(loads).transform(ar -> Future.succeededFuture(unloaded));
  }

  /** Loads a room: latest snapshot plus the ops after it (verified against a full replay when small). */
  private Future<Room> load(String id) {
    return log.head(id).compose(head -> log.latestSnapshot(id, head).compose(snap -> stateOf(id, head, snap)
        .compose(state -> store.recentKeys(id, config.dedupCacheSize()).map(keys -> {
          Map<String, Long> loaded = new HashMap<>();
          keys.forEach(k -> loaded.put(Room.key(k.getKey().author(), k.getKey().clientOpId()), k.getValue()));
          Room room = new Room(id, state, head, loaded, keys.size() >= head, config.dedupCacheSize());
          room.snapshotVersion = snap == null ? 0 : snap.version();
          return room;
        }))));
  }

  private Future<io.flowstate.shared.canvas.CanvasState> stateOf(String id, long head, OpLog.Snapshot snap) {
    if (snap == null) {
      return log.fullReplay(id, head, replayer).map(OpLog.VersionedState::state);
    }
    Future<Boolean> trusted = head <= config.verifySnapshotMaxOps() ? verify(id, snap) : Future.succeededFuture(true);
    return trusted.compose(ok -> ok
        ? log.replay(id, snap.state(), snap.version(), head, replayer).map(OpLog.VersionedState::state)
        : log.fullReplay(id, head, replayer).map(OpLog.VersionedState::state));
  }

  /** Whether a snapshot's stored hash equals its own state's hash and a full replay's. */
  private Future<Boolean> verify(String id, OpLog.Snapshot snap) {
    return log.fullReplay(id, snap.version(), replayer)
        .compose(replayed -> vertx.executeBlocking(() -> new String[] {snap.state().hash(), replayed.state().hash()},
            false))
        .map(hashes -> {
          boolean ok = hashes[0].equals(snap.storedHash()) && hashes[1].equals(snap.storedHash());
          if (!ok) {
            snapshotMismatches++;
            metrics.counter("flowstate.snapshot.mismatches").increment();
            Log.event(LOG, Level.SEVERE, "SNAPSHOT MISMATCH: stored hash " + snap.storedHash() + ", snapshot state hash "
                + hashes[0] + ", full replay hash " + hashes[1] + "; using the full replay of the op log", null,
                "room", id, "version", snap.version());
          }
          return ok;
        });
  }

  /** Loads, from the op log, the undo/redo history of authors about to undo or redo. */
  private Future<Void> loadHistories(List<Submission> group, Set<String> unloaded) {
    List<Future<Void>> loads = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Submission s : group) {
      Room room = rooms.get(s.room());
      if (Submission.OP.equals(s.action()) || room == null || unloaded.contains(s.room())
          || room.histories.containsKey(s.author().id()) || !seen.add(s.room() + '\u0000' + s.author().id())) {
        continue;
      }
      loads.add(store.authorHistory(s.room(), s.author().id(), config.maxUndoDepth() * 4).map(rows -> {
        UndoHistory history = new UndoHistory(config.maxUndoDepth());
        for (OpStore.HistoryRow row : rows) {
          UndoHistory.Entry entry = new UndoHistory.Entry(row.version(), replayer.parse(Json.parse(row.opJson())),
              replayer.parse(Json.parse(row.inverseJson())));
          if (row.undoOf() != null) {
            history.undone(row.undoOf(), entry);
          } else if (row.redoOf() != null) {
            history.redone(row.redoOf(), entry);
          } else {
            history.committed(entry);
          }
        }
        room.histories.put(s.author().id(), history);
        return null;
      }));
    }
    return Future.join(loads).transform(ar -> Future.succeededFuture());
  }

  /**
   * The author's access to the room of every submission (the sequencer is the last word on who
   * may write, whatever a gateway decided). Empty when PostgreSQL cannot answer: every op of the
   * group is then answered {@code unavailable}.
   */
  private Future<Map<AccessCache.Key, RoomAccess>> resolveAccess(List<Submission> group) {
    Set<AccessCache.Key> keys = new LinkedHashSet<>();
    for (Submission s : group) {
      keys.add(new AccessCache.Key(s.room(), s.author().id()));
    }
    return access.resolve(keys).recover(e -> {
      Log.event(LOG, Level.WARNING, "cannot read roles: " + e.getMessage(), null);
      metrics.counter("flowstate.pg.errors").increment();
      return Future.succeededFuture(Map.of());
    });
  }

  private boolean mayWrite(RoomAccess access) {
    return access != null && refusal(access) == null;
  }

  /** Why the author may not write to the room ({@code forbidden}, {@code not_found}), or null. */
  private FlowStateException refusal(RoomAccess access) {
    try {
      access.writeRole(config.guestAccess());
      return null;
    } catch (FlowStateException refused) {
      return refused;
    }
  }

  /** One submission's outcome within a group. */
  private record Rejected(Submission submission, FlowStateException error) {
  }

  private Future<Void> process(List<Submission> group, Set<String> unloaded, Map<AccessCache.Key, RoomAccess> roles) {
    Instant at = Instant.now();
    long now = System.currentTimeMillis();
    List<CommitRow> rows = new ArrayList<>();
    List<Submission> applied = new ArrayList<>();
    List<Reply> replies = new ArrayList<>();
    List<Rejected> rejected = new ArrayList<>();
    Map<OpKey, Long> inGroup = new HashMap<>();
    Set<String> touched = new HashSet<>();
    Set<String> suspect = new HashSet<>();
    for (Submission s : group) {
      RoomAccess allowed = roles.get(new AccessCache.Key(s.room(), s.author().id()));
      if (allowed == null) {
        replies.add(error(s, new FlowStateException(ErrorCode.UNAVAILABLE, "roles could not be checked; retry")));
        continue;
      }
      FlowStateException refused = refusal(allowed);
      Room room = unloaded.contains(s.room()) ? null : rooms.get(s.room());
      OpKey key = new OpKey(s.room(), s.author().id(), s.id());
      // A retry of an op committed while the author could still edit is acked, not refused.
      Long version = room == null ? null : room.committedVersion(Room.key(s.author().id(), s.id()));
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
      if (refused != null) {
        rejected.add(new Rejected(s, refused));
        continue;
      }
      if (room == null) {
        replies.add(error(s, new FlowStateException(ErrorCode.UNAVAILABLE, "room is temporarily unavailable")));
        continue;
      }
      room.lastUsed = now;
      try {
        Action action = action(room, s);
        CanvasOp inverse = reducer.applyInPlace(room.state, action.op());
        long next = room.head + 1;
        room.head = next;
        touched.add(room.id);
        inGroup.put(key, next);
        record(room, s, action, new UndoHistory.Entry(next, action.op(), inverse));
        OpEvent event = new OpEvent(s.room(), next, s.id(), s.author(), action.op().toJson(), at, action.undoOf(),
            action.redoOf());
        rows.add(new CommitRow(event, Json.write(event.op()), Json.write(inverse.toJson())));
        applied.add(s);
      } catch (FlowStateException e) {
        rejected.add(new Rejected(s, e));
      } catch (RuntimeException e) {
        // A bug must cost this submission only, never the group or the room.
        Log.event(LOG, Level.SEVERE, "unexpected failure on an op", e, "room", s.room(), "user", s.author().id(),
            "id", s.id());
        suspect.add(room.id);
        rejected.add(new Rejected(s, new FlowStateException(ErrorCode.INTERNAL, "internal error; the op was not applied")));
      }
    }
    long commitStart = System.nanoTime();
    Future<Void> committed = rows.isEmpty() ? Future.succeededFuture() : store.commit(rows, fence(rows))
        .onSuccess(v -> {
          commitLatency.record(System.nanoTime() - commitStart, java.util.concurrent.TimeUnit.NANOSECONDS);
          commitBatch.record(rows.size());
        })
        .onFailure(e -> metrics.counter("flowstate.pg.errors").increment());
    return committed.transform(ar -> {
      // A room whose in-memory state may be off after an unexpected failure reloads from the log.
      Future<Void> outcome = ar.succeeded() ? afterCommit(rows, replies, rejected) : failed(ar.cause(), group, rows,
          replies, rejected, applied, touched);
      return outcome.onComplete(x -> suspect.forEach(rooms::remove));
    });
  }

  /** The lease epochs this group's commit is fenced on (null when ownership is not leased). */
  private OpStore.Fence fence(List<CommitRow> rows) {
    if (ownership.holder() == null) {
      return null;
    }
    Map<Integer, Long> epochs = new HashMap<>();
    for (CommitRow row : rows) {
      int shard = Channels.shardOf(row.event().room(), config.shardCount());
      epochs.computeIfAbsent(shard, ownership::epoch);
    }
    return new OpStore.Fence(ownership.holder(), epochs);
  }

  /**
   * Forgets the in-memory rooms of shards gained (they may have changed under another owner) or
   * lost; a group in flight finishes first.
   */
  public void forgetShards(Set<Integer> shards) {
    forgetting.addAll(shards);
    if (!inFlight) {
      applyForget();
    }
  }

  private void applyForget() {
    if (forgetting.isEmpty()) {
      return;
    }
    rooms.keySet().removeIf(room -> forgetting.contains(Channels.shardOf(room, config.shardCount())));
    forgetting.clear();
  }

  private Future<Void> failed(Throwable cause, List<Submission> group, List<CommitRow> rows, List<Reply> replies,
      List<Rejected> rejected, List<Submission> applied, Set<String> touched) {
    touched.forEach(rooms::remove);
    if (cause instanceof DuplicateOpException) {
      return requeueAfterDuplicate(group);
    }
    if (OpStore.isDataError(cause)) {
      if (group.size() > 1) {
        // One submission PostgreSQL cannot store must not fail the others: retry them one by one.
        isolate += group.size();
        for (int i = group.size() - 1; i >= 0; i--) {
          queue.addFirst(group.get(i));
        }
        return Future.succeededFuture();
      }
      List<Reply> refused = new ArrayList<>(replies);
      for (Submission s : applied) {
        refused.add(error(s, new FlowStateException(ErrorCode.INVALID_OP, "the op cannot be stored: "
            + cause.getMessage())));
      }
      return publisher.publish(List.of(), refused).recover(e -> Future.succeededFuture());
    }
    if (cause instanceof OpStore.LeaseLostException) {
      fencedCommits++;
      metrics.counter("flowstate.lease.fenced.commits").increment();
    }
    LOG.log(Level.WARNING, "commit of " + rows.size() + " ops failed: " + cause.getMessage());
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
  }

  /** What a submission applies: a client op, or the revert computed for an undo or redo. */
  private record Action(CanvasOp op, Long undoOf, Long redoOf) {
  }

  private Action action(Room room, Submission s) {
    switch (s.action()) {
      case Submission.OP:
        return new Action(reducer.parse(s.op()), null, null);
      case Submission.UNDO:
        return undo(room, historyOf(room, s));
      case Submission.REDO:
        return redo(room, historyOf(room, s));
      default:
        throw new FlowStateException(ErrorCode.BAD_REQUEST, "unknown action '" + s.action() + "'");
    }
  }

  private UndoHistory historyOf(Room room, Submission s) {
    UndoHistory history = room.histories.get(s.author().id());
    if (history == null) {
      throw new FlowStateException(ErrorCode.UNAVAILABLE, "undo history could not be loaded; retry with the same id");
    }
    return history;
  }

  /**
   * Reverts the caller's most recent op that still has an effect to revert (see {@link UndoRule});
   * entries with nothing left to revert, e.g. a shape someone else deleted, are dropped.
   */
  private Action undo(Room room, UndoHistory history) {
    for (UndoHistory.Entry top = history.peekUndo(); top != null; top = history.peekUndo()) {
      CanvasOp revert = UndoRule.revert(reducer, room.state, top.op(), top.inverse());
      if (revert != null) {
        return new Action(revert, top.version(), null);
      }
      history.dropUndo();
    }
    throw new FlowStateException(ErrorCode.NOTHING_TO_UNDO, "nothing to undo");
  }

  /** Re-applies the caller's most recently undone op by reverting the undo op, by the same rule. */
  private Action redo(Room room, UndoHistory history) {
    for (UndoHistory.Undone top = history.peekRedo(); top != null; top = history.peekRedo()) {
      CanvasOp revert = UndoRule.revert(reducer, room.state, top.undo().op(), top.undo().inverse());
      if (revert != null) {
        return new Action(revert, null, top.undone());
      }
      history.dropRedo();
    }
    throw new FlowStateException(ErrorCode.NOTHING_TO_REDO, "nothing to redo");
  }

  private void record(Room room, Submission s, Action action, UndoHistory.Entry entry) {
    UndoHistory history = room.histories.get(s.author().id());
    if (history == null) {
      return;
    }
    if (action.undoOf() != null) {
      history.undone(action.undoOf(), entry);
    } else if (action.redoOf() != null) {
      history.redone(action.redoOf(), entry);
    } else {
      history.committed(entry);
    }
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
      metrics.counter("flowstate.ops.committed").increment(rows.size());
      for (CommitRow row : rows) {
        Room room = rooms.get(row.event().room());
        if (room != null && room.head - room.snapshotVersion >= snapshotThreshold(room.id)) {
          snapshot(room);
        }
      }
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
        if (version == null) {
          metrics.count("flowstate.ops.rejected", "code", r.error().code().wire());
        }
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
