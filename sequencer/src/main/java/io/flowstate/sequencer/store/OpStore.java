package io.flowstate.sequencer.store;

import io.flowstate.shared.protocol.OpEvent;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sequencer's writes to PostgreSQL. {@link #commit} writes a whole group of ops, across rooms,
 * in one statement (one round trip, one transaction): all rows and room heads, or nothing.
 * Primary key (room, version) and unique (room, author, client op id) are the last line of
 * defence for invariants 1 and 4; {@link DuplicateOpException} reports the latter.
 */
public final class OpStore {
  private static final String COMMIT = "WITH new_ops AS ("
      + " INSERT INTO ops (room, version, author, author_name, client_op_id, op, inverse, undo_of, redo_of, committed_at)"
      + " SELECT r, v, a, an, c, o::jsonb, i::jsonb, u, rd, $10"
      + " FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],"
      + " $8::bigint[], $9::bigint[]) AS t(r, v, a, an, c, o, i, u, rd)"
      + " RETURNING 1),"
      + " heads AS (INSERT INTO rooms AS rm (id, head) SELECT * FROM unnest($11::text[], $12::bigint[])"
      + " ON CONFLICT (id) DO UPDATE SET head = EXCLUDED.head RETURNING 1)"
      + " SELECT (SELECT count(*) FROM new_ops) AS ops, (SELECT count(*) FROM heads) AS rooms";
  private static final String LOOKUP = "SELECT o.room, o.author, o.client_op_id, o.version FROM ops o"
      + " JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(room, author, cid)"
      + " ON o.room = k.room AND o.author = k.author AND o.client_op_id = k.cid";
  private static final String RECENT_KEYS = "SELECT author, client_op_id, version FROM ops WHERE room = $1"
      + " ORDER BY version DESC LIMIT $2";

  private final Pool pool;

  public OpStore(Pool pool) {
    this.pool = pool;
  }

  /** One row to commit: the event clients will see plus the inverse kept for undo. */
  public record CommitRow(OpEvent event, String opJson, String inverseJson) {
  }

  /** A (room, author, client op id) key. */
  public record OpKey(String room, String author, String clientOpId) {
  }

  /** A retried client op id hit the unique constraint: the whole group was not written. */
  public static final class DuplicateOpException extends RuntimeException {
    public DuplicateOpException(String message) {
      super(message, null, false, false);
    }
  }

  /** Commits rows (ascending version per room) and the rooms' new heads, atomically. */
  public Future<Void> commit(List<CommitRow> rows) {
    int n = rows.size();
    String[] room = new String[n];
    Long[] version = new Long[n];
    String[] author = new String[n];
    String[] authorName = new String[n];
    String[] clientOpId = new String[n];
    String[] op = new String[n];
    String[] inverse = new String[n];
    Long[] undoOf = new Long[n];
    Long[] redoOf = new Long[n];
    Map<String, Long> heads = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      OpEvent e = rows.get(i).event();
      room[i] = e.room();
      version[i] = e.version();
      author[i] = e.author().id();
      authorName[i] = e.author().name();
      clientOpId[i] = e.id();
      op[i] = rows.get(i).opJson();
      inverse[i] = rows.get(i).inverseJson();
      undoOf[i] = e.undoOf();
      redoOf[i] = e.redoOf();
      heads.merge(e.room(), e.version(), Math::max);
    }
    Tuple params = Tuple.tuple()
        .addArrayOfString(room).addArrayOfLong(version).addArrayOfString(author).addArrayOfString(authorName)
        .addArrayOfString(clientOpId).addArrayOfString(op).addArrayOfString(inverse)
        .addArrayOfLong(undoOf).addArrayOfLong(redoOf)
        .addOffsetDateTime(rows.get(0).event().at().atOffset(ZoneOffset.UTC))
        .addArrayOfString(heads.keySet().toArray(new String[0]))
        .addArrayOfLong(heads.values().toArray(new Long[0]));
    return pool.preparedQuery(COMMIT).execute(params)
        .recover(e -> Future.failedFuture(isDuplicateOpId(e)
            ? new DuplicateOpException(e.getMessage()) : e))
        .compose(result -> {
          Row counts = result.iterator().next();
          if (counts.getLong("ops") != n || counts.getLong("rooms") != heads.size()) {
            return Future.failedFuture(new IllegalStateException("commit wrote " + counts.getLong("ops")
                + " ops and " + counts.getLong("rooms") + " heads, expected " + n + " and " + heads.size()));
          }
          return Future.succeededFuture();
        });
  }

  /** The committed versions of those keys that exist. */
  public Future<Map<OpKey, Long>> lookup(List<OpKey> keys) {
    if (keys.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    String[] rooms = keys.stream().map(OpKey::room).toArray(String[]::new);
    String[] authors = keys.stream().map(OpKey::author).toArray(String[]::new);
    String[] ids = keys.stream().map(OpKey::clientOpId).toArray(String[]::new);
    return pool.preparedQuery(LOOKUP).execute(Tuple.tuple().addArrayOfString(rooms).addArrayOfString(authors)
        .addArrayOfString(ids)).map(result -> {
          Map<OpKey, Long> found = new HashMap<>();
          for (Row row : result) {
            found.put(new OpKey(row.getString("room"), row.getString("author"), row.getString("client_op_id")),
                row.getLong("version"));
          }
          return found;
        });
  }

  /** The most recent client op ids of a room with their versions, oldest first. */
  public Future<List<Map.Entry<OpKey, Long>>> recentKeys(String room, int limit) {
    return pool.preparedQuery(RECENT_KEYS).execute(Tuple.of(room, limit)).map(result -> {
      List<Map.Entry<OpKey, Long>> keys = new ArrayList<>();
      for (Row row : result) {
        keys.add(Map.entry(new OpKey(room, row.getString("author"), row.getString("client_op_id")),
            row.getLong("version")));
      }
      java.util.Collections.reverse(keys);
      return keys;
    });
  }

  /** One of an author's committed ops, as undo/redo history needs it. */
  public record HistoryRow(long version, String opJson, String inverseJson, Long undoOf, Long redoOf) {
  }

  /** An author's most recent ops in a room, oldest first, at most {@code limit}. */
  public Future<List<HistoryRow>> authorHistory(String room, String author, int limit) {
    return pool.preparedQuery("SELECT version, op::text AS op, inverse::text AS inverse, undo_of, redo_of FROM ops"
            + " WHERE room = $1 AND author = $2 ORDER BY version DESC LIMIT $3")
        .execute(Tuple.of(room, author, limit)).map(result -> {
          List<HistoryRow> rows = new ArrayList<>();
          for (Row row : result) {
            rows.add(new HistoryRow(row.getLong("version"), row.getString("op"), row.getString("inverse"),
                row.getLong("undo_of"), row.getLong("redo_of")));
          }
          java.util.Collections.reverse(rows);
          return rows;
        });
  }

  /** A failure caused by the data itself (SQLSTATE classes 22 and 54), not by the database being away. */
  public static boolean isDataError(Throwable e) {
    return e instanceof PgException pg && pg.getSqlState() != null
        && (pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("54"));
  }

  static boolean isDuplicateOpId(Throwable e) {
    return e instanceof PgException pg && "23505".equals(pg.getSqlState())
        && "ops_client_op_id_key".equals(pg.getConstraint());
  }
}
