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
  /**
   * The same write, fenced: it happens only if the committer still holds every shard of the group
   * at the epoch it acquired it, checked under a share lock on the lease rows, so a takeover
   * (which updates those rows) waits for this commit or this commit sees the takeover. Lease rows
   * are always locked in shard order (here and in {@code ShardLeases}), so no two statements
   * deadlock on them.
   */
  private static final String COMMIT_FENCED = "WITH held AS (SELECT l.shard FROM shard_leases l"
      + " JOIN unnest($13::int[], $14::bigint[]) AS f(shard, epoch) ON l.shard = f.shard AND l.epoch = f.epoch"
      + " WHERE l.owner = $15 AND l.expires_at > now() ORDER BY l.shard FOR SHARE OF l),"
      + " fence AS (SELECT count(*) = $16 AS ok FROM held),"
      + " new_ops AS ("
      + " INSERT INTO ops (room, version, author, author_name, client_op_id, op, inverse, undo_of, redo_of, committed_at)"
      + " SELECT r, v, a, an, c, o::jsonb, i::jsonb, u, rd, $10"
      + " FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],"
      + " $8::bigint[], $9::bigint[]) AS t(r, v, a, an, c, o, i, u, rd) WHERE (SELECT ok FROM fence)"
      + " RETURNING 1),"
      + " heads AS (INSERT INTO rooms AS rm (id, head) SELECT * FROM unnest($11::text[], $12::bigint[])"
      + " WHERE (SELECT ok FROM fence) ON CONFLICT (id) DO UPDATE SET head = EXCLUDED.head RETURNING 1)"
      + " SELECT (SELECT count(*) FROM new_ops) AS ops, (SELECT count(*) FROM heads) AS rooms,"
      + " (SELECT ok FROM fence) AS fenced";
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

  /** The commit no longer holds one of its shards: another sequencer took it over. */
  public static final class LeaseLostException extends RuntimeException {
    public LeaseLostException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The lease a commit is fenced on: its holder and, per shard of the group, the epoch at which the
   * holder acquired it. Null means unfenced (a single sequencer owning everything).
   */
  public record Fence(String holder, Map<Integer, Long> epochs) {
  }

  /** Commits rows (ascending version per room) and the rooms' new heads, atomically. */
  public Future<Void> commit(List<CommitRow> rows) {
    return commit(rows, null);
  }

  /**
   * Commits rows (ascending version per room) and the rooms' new heads, atomically, and only
   * while {@code fence} holds (else {@link LeaseLostException}, nothing written).
   */
  public Future<Void> commit(List<CommitRow> rows, Fence fence) {
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
    if (fence != null) {
      params.addArrayOfInteger(fence.epochs().keySet().toArray(new Integer[0]))
          .addArrayOfLong(fence.epochs().values().toArray(new Long[0]))
          .addString(fence.holder())
          .addInteger(fence.epochs().size());
    }
    return pool.preparedQuery(fence == null ? COMMIT : COMMIT_FENCED).execute(params)
        .recover(e -> Future.failedFuture(isDuplicateOpId(e)
            ? new DuplicateOpException(e.getMessage()) : e))
        .compose(result -> {
          Row counts = result.iterator().next();
          if (fence != null && !Boolean.TRUE.equals(counts.getBoolean("fenced"))) {
            return Future.failedFuture(new LeaseLostException("shard lease lost before the commit of "
                + n + " ops; nothing was written"));
          }
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
