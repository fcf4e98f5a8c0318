package io.flowstate.shared.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.shared.canvas.CanvasState;
import io.flowstate.shared.canvas.Reducer;
import io.flowstate.shared.protocol.Author;
import io.flowstate.shared.protocol.Json;
import io.flowstate.shared.protocol.OpEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Read side of the op log in PostgreSQL, shared by gateways (join, catch-up, gap repair) and the
 * sequencer (room loading). Everything it returns was committed: a version it reports is durable.
 * Replays run in pages, the reduction of each page off the event loop.
 */
public final class OpLog {
  static final int PAGE = 2_000;
  private static final String SELECT_OPS = "SELECT version, author, author_name, client_op_id, op::text AS op,"
      + " committed_at, undo_of, redo_of FROM ops WHERE room = $1 AND version > $2 AND version <= $3"
      + " ORDER BY version LIMIT $4";

  private final Vertx vertx;
  private final Pool pool;

  public OpLog(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  /** A room state at a version, with its hash. */
  public record VersionedState(long version, CanvasState state) {
  }

  /** A stored snapshot: the state at {@code version} and the hash recorded with it. */
  public record Snapshot(long version, CanvasState state, String storedHash) {
  }

  /** The committed head version of a room; 0 for a room with no ops. */
  public Future<Long> head(String room) {
    return pool.preparedQuery("SELECT head FROM rooms WHERE id = $1").execute(Tuple.of(room))
        .map(rows -> rows.size() == 0 ? 0L : rows.iterator().next().getLong("head"));
  }

  /** The head of a room, or -1 when the room does not exist (no op yet and not a canvas). */
  public Future<Long> headIfExists(String room) {
    return pool.preparedQuery("SELECT head FROM rooms WHERE id = $1").execute(Tuple.of(room))
        .map(rows -> rows.size() == 0 ? -1L : rows.iterator().next().getLong("head"));
  }

  /** Op events with versions in (after, upTo], ascending, at most {@code limit}. */
  public Future<List<OpEvent>> events(String room, long after, long upTo, int limit) {
    return pool.preparedQuery(SELECT_OPS).execute(Tuple.of(room, after, upTo, limit)).map(rows -> {
      List<OpEvent> events = new ArrayList<>(rows.size());
      for (Row row : rows) {
        events.add(toEvent(room, row));
      }
      return events;
    });
  }

  /** All op events in (after, upTo], fetched page by page. */
  public Future<List<OpEvent>> allEvents(String room, long after, long upTo) {
    List<OpEvent> out = new ArrayList<>();
    return collect(room, after, upTo, out).map(v -> out);
  }

  /** Replays ops (from, upTo] onto {@code base} (which it mutates) and returns it at {@code upTo}. */
  public Future<VersionedState> replay(String room, CanvasState base, long from, long upTo, Reducer reducer) {
    if (from >= upTo) {
      return Future.succeededFuture(new VersionedState(from, base));
    }
    return events(room, from, upTo, PAGE).compose(page -> {
      if (page.isEmpty()) {
        return Future.failedFuture(new IllegalStateException(
            "op log of room " + room + " has no version " + (from + 1) + " (head " + upTo + ")"));
      }
      return vertx.executeBlocking(() -> {
        for (OpEvent e : page) {
          reducer.applyInPlace(base, reducer.parse(e.op()));
        }
        return page.get(page.size() - 1).version();
      }, false).compose(last -> replay(room, base, last, upTo, reducer));
    });
  }

  /**
   * The state of a room at {@code version}: the latest snapshot at or below it plus the ops after
   * it (the whole log when there is no snapshot).
   */
  public Future<VersionedState> stateAt(String room, long version, Reducer reducer) {
    return latestSnapshot(room, version).compose(snapshot -> snapshot == null
        ? replay(room, CanvasState.empty(), 0, version, reducer)
        : replay(room, snapshot.state(), snapshot.version(), version, reducer));
  }

  /** The state at {@code version} replayed from the empty canvas, ignoring snapshots. */
  public Future<VersionedState> fullReplay(String room, long version, Reducer reducer) {
    return replay(room, CanvasState.empty(), 0, version, reducer);
  }

  /** The latest snapshot of a room with version ≤ {@code atMost}, or null. Parsed off the event loop. */
  public Future<Snapshot> latestSnapshot(String room, long atMost) {
    return pool.preparedQuery("SELECT version, state::text AS state, hash FROM snapshots"
            + " WHERE room = $1 AND version <= $2 ORDER BY version DESC LIMIT 1")
        .execute(Tuple.of(room, atMost))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(null);
          }
          Row row = rows.iterator().next();
          long version = row.getLong("version");
          String text = row.getString("state");
          String hash = row.getString("hash");
          return vertx.executeBlocking(() -> new Snapshot(version,
              CanvasState.fromJson(Json.parse(text), io.flowstate.shared.canvas.CanvasLimits.replay()), hash), false);
        });
  }

  private Future<Void> collect(String room, long after, long upTo, List<OpEvent> out) {
    if (after >= upTo) {
      return Future.succeededFuture();
    }
    return events(room, after, upTo, PAGE).compose(page -> {
      out.addAll(page);
      if (page.size() < PAGE) {
        return Future.succeededFuture();
      }
      return collect(room, page.get(page.size() - 1).version(), upTo, out);
    });
  }

  static OpEvent toEvent(String room, Row row) {
    JsonNode op = Json.parse(row.getString("op"));
    OffsetDateTime at = row.getOffsetDateTime("committed_at");
    return new OpEvent(room, row.getLong("version"), row.getString("client_op_id"),
        new Author(row.getString("author"), row.getString("author_name")), op, at.toInstant(),
        row.getLong("undo_of"), row.getLong("redo_of"));
  }
}
