package io.flowstate.shared.access;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolves {@link RoomAccess} for (room, user) pairs from PostgreSQL, many pairs in one query, and
 * keeps the answers for at most {@code ttlMs}. {@link #invalidate} drops what an
 * {@link AccessChange} names (sent over Redis by whoever changed a role); {@link #clear} drops all
 * (after a Redis reconnect, when changes may have been missed). A query that was running when an
 * invalidation arrived is answered but not cached, so a stale role is never kept. Used on one
 * Vert.x context; not thread-safe.
 */
public final class AccessCache {
  /** A (room, user) pair. */
  public record Key(String room, String user) {
  }

  private record Entry(RoomAccess access, long loadedAt) {
  }

  private static final String QUERY = """
      SELECT k.room, k.user_id, c.id IS NOT NULL AS canvas, c.deleted_at IS NOT NULL AS deleted,
             c.workspace_id, coalesce(cr.role, wm.role) AS role
      FROM unnest($1::text[], $2::text[]) AS k(room, user_id)
      LEFT JOIN canvases c ON c.id = k.room
      LEFT JOIN canvas_roles cr ON cr.canvas_id = c.id AND cr.user_id = k.user_id
      LEFT JOIN workspace_members wm ON wm.workspace_id = c.workspace_id AND wm.user_id = k.user_id
      """;

  private final Pool pool;
  private final long ttlMs;
  private final Map<Key, Entry> entries = new HashMap<>();
  private long generation;
  private static final int MAX_ENTRIES = 100_000;

  public AccessCache(Pool pool, long ttlMs) {
    this.pool = pool;
    this.ttlMs = ttlMs;
  }

  /** The access of one pair, from cache or PostgreSQL. */
  public Future<RoomAccess> resolve(String room, String user) {
    Key key = new Key(room, user);
    return resolve(List.of(key)).map(found -> found.get(key));
  }

  /** The access of every pair, the missing or expired ones read in one query. */
  public Future<Map<Key, RoomAccess>> resolve(Collection<Key> keys) {
    long now = System.currentTimeMillis();
    Map<Key, RoomAccess> found = new HashMap<>();
    Set<Key> missing = new LinkedHashSet<>();
    for (Key key : keys) {
      Entry e = entries.get(key);
      if (e != null && now - e.loadedAt < ttlMs) {
        found.put(key, e.access);
      } else {
        missing.add(key);
      }
    }
    if (missing.isEmpty()) {
      return Future.succeededFuture(found);
    }
    long startedAt = generation;
    return load(missing).map(loaded -> {
      if (generation == startedAt) {
        if (entries.size() + loaded.size() > MAX_ENTRIES) {
          entries.clear();
        }
        loaded.forEach((k, v) -> entries.put(k, new Entry(v, now)));
      }
      found.putAll(loaded);
      return found;
    });
  }

  /** The cached access of a pair, if fresh; null otherwise (no query). */
  public RoomAccess cached(String room, String user) {
    Entry e = entries.get(new Key(room, user));
    return e != null && System.currentTimeMillis() - e.loadedAt < ttlMs ? e.access : null;
  }

  /** Drops the entries a change names. */
  public void invalidate(AccessChange change) {
    generation++;
    entries.values().removeIf(e -> e.access.affectedBy(change));
  }

  /** Drops everything. */
  public void clear() {
    generation++;
    entries.clear();
  }

  public int size() {
    return entries.size();
  }

  private Future<Map<Key, RoomAccess>> load(Collection<Key> keys) {
    List<String> rooms = new ArrayList<>(keys.size());
    List<String> users = new ArrayList<>(keys.size());
    for (Key k : keys) {
      rooms.add(k.room());
      users.add(k.user());
    }
    return pool.preparedQuery(QUERY).execute(Tuple.tuple().addArrayOfString(rooms.toArray(String[]::new))
            .addArrayOfString(users.toArray(String[]::new)))
        .map(rows -> {
          Map<Key, RoomAccess> out = new HashMap<>();
          for (Row row : rows) {
            out.put(new Key(row.getString("room"), row.getString("user_id")), toAccess(row));
          }
          return out;
        });
  }

  private static RoomAccess toAccess(Row row) {
    String room = row.getString("room");
    String user = row.getString("user_id");
    if (!row.getBoolean("canvas")) {
      return new RoomAccess(room, user, RoomAccess.Kind.OPEN, null, null);
    }
    RoomAccess.Kind kind = row.getBoolean("deleted") ? RoomAccess.Kind.DELETED : RoomAccess.Kind.CANVAS;
    return new RoomAccess(room, user, kind, row.getString("workspace_id"), Role.parse(row.getString("role")));
  }
}
