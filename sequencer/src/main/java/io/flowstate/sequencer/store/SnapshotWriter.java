package io.flowstate.sequencer.store;

import io.flowstate.shared.canvas.Reducer;
import io.flowstate.shared.protocol.Json;
import io.flowstate.shared.store.OpLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * Writes room snapshots (state and hash at a version) from the op log itself: the previous
 * snapshot plus the ops after it, reduced and serialized off the event loop. It never touches the
 * sequencer's live room state, so it is off the commit path. Writing the same version twice is a
 * no-op.
 */
public final class SnapshotWriter {
  private final Vertx vertx;
  private final Pool pool;
  private final OpLog log;
  private final Reducer reducer;
  private long written;

  public SnapshotWriter(Vertx vertx, Pool pool, OpLog log, Reducer reducer) {
    this.vertx = vertx;
    this.pool = pool;
    this.log = log;
    this.reducer = reducer;
  }

  /** Snapshots written by this writer since start. */
  public long written() {
    return written;
  }

  public Future<Void> write(String room, long version) {
    return log.stateAt(room, version, reducer)
        .compose(vs -> vertx.executeBlocking(() -> new String[] {Json.write(vs.state().toJson()), vs.state().hash()},
            false))
        .compose(encoded -> pool.preparedQuery("INSERT INTO snapshots (room, version, state, hash)"
                + " VALUES ($1, $2, $3::text::jsonb, $4) ON CONFLICT DO NOTHING")
            .execute(Tuple.of(room, version, encoded[0], encoded[1])))
        .onSuccess(r -> written++)
        .mapEmpty();
  }
}
