package io.flowstate.sequencer.lease;

import io.flowstate.sequencer.room.ShardOwnership;
import io.flowstate.shared.config.SequencerConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Shard leases in PostgreSQL ({@code shard_leases}: owner, epoch, expiry). Every renewal period a
 * sequencer renews what it holds, announces itself in {@code sequencers}, and balances: it takes
 * free or expired shards up to its fair share (shards / live sequencers, rounded up) and releases
 * what it holds beyond that, so a new sequencer gets work and a dead one's shards move within the
 * lease time. A takeover increments the epoch; commits are fenced on it (see {@code OpStore}).
 * A sequencer that cannot renew in time (PostgreSQL unreachable) gives its shards up locally
 * before the lease can expire elsewhere. {@link #releaseAll} on graceful stop lets others take
 * over at once. Runs on the sequencer's context.
 */
public final class ShardLeases implements ShardOwnership {
  private static final Logger LOG = Logger.getLogger(ShardLeases.class.getName());

  private final Vertx vertx;
  private final Pool pool;
  private final SequencerConfig config;
  private final Map<Integer, Long> held = new HashMap<>();
  private volatile Set<Integer> owned = Set.of();
  private Consumer<Set<Integer>> onAcquired = s -> { };
  private Consumer<Set<Integer>> onLost = s -> { };
  private long timer = -1;
  private long validUntil;
  private boolean ticking;
  private volatile boolean paused;

  public ShardLeases(Vertx vertx, Pool pool, SequencerConfig config) {
    this.vertx = vertx;
    this.pool = pool;
    this.config = config;
  }

  /** Called with shards just acquired (subscribe, load fresh) and shards lost or released. */
  public void listeners(Consumer<Set<Integer>> acquired, Consumer<Set<Integer>> lost) {
    this.onAcquired = acquired;
    this.onLost = lost;
  }

  @Override
  public Set<Integer> owned() {
    return owned;
  }

  @Override
  public long epoch(int shard) {
    Long e = held.get(shard);
    return e == null ? Long.MAX_VALUE : e;
  }

  @Override
  public String holder() {
    return config.sequencerId();
  }

  /** Creates the lease rows, takes a first share and renews from then on. */
  public Future<Void> start() {
    return pool.preparedQuery("INSERT INTO shard_leases (shard) SELECT generate_series(0, $1 - 1)"
            + " ON CONFLICT DO NOTHING").execute(Tuple.of(config.shardCount()))
        .compose(r -> tick())
        .onSuccess(v -> timer = vertx.setPeriodic(config.leaseRenewMs(), id -> tick()));
  }

  /**
   * Test seam: stop renewing, as a paused (GC, SIGSTOP) or partitioned process would, while still
   * believing it owns its shards. Its late commits must be refused by the fence.
   */
  public void pauseRenewals() {
    paused = true;
  }

  /** Stops renewing and hands every lease back (graceful stop: others take over at once). */
  public Future<Void> releaseAll() {
    vertx.cancelTimer(timer);
    Set<Integer> mine = owned;
    lose(mine);
    return pool.preparedQuery("UPDATE shard_leases l SET owner = NULL, expires_at = '-infinity' FROM (SELECT shard"
            + " FROM shard_leases WHERE owner = $1 ORDER BY shard FOR UPDATE) AS mine WHERE l.shard = mine.shard")
        .execute(Tuple.of(config.sequencerId()))
        .compose(r -> pool.preparedQuery("DELETE FROM sequencers WHERE id = $1").execute(Tuple.of(config.sequencerId())))
        .<Void>mapEmpty()
        .onFailure(e -> LOG.warning("could not release shard leases (they expire on their own): " + e.getMessage()));
  }

  /** Stops renewing without releasing (the leases expire): what a crash looks like to the others. */
  public void abandon() {
    vertx.cancelTimer(timer);
    lose(owned);
  }

  private Future<Void> tick() {
    if (ticking || paused) {
      return Future.succeededFuture();
    }
    ticking = true;
    long started = System.currentTimeMillis();
    return renew(started).compose(v -> balance()).recover(e -> {
      LOG.warning("shard lease renewal failed: " + e.getMessage());
      if (!owned.isEmpty() && System.currentTimeMillis() >= validUntil) {
        LOG.warning("giving up " + owned.size() + " shards: their leases may have expired");
        lose(owned);
      }
      return Future.succeededFuture();
    }).onComplete(ar -> ticking = false);
  }

  private Future<Void> renew(long started) {
    if (held.isEmpty()) {
      validUntil = started + config.leaseTtlMs() - config.leaseRenewMs();
      return Future.succeededFuture();
    }
    List<Integer> shards = new ArrayList<>(held.keySet());
    List<Long> epochs = new ArrayList<>();
    shards.forEach(s -> epochs.add(held.get(s)));
    // Rows are locked in shard order, like the fenced commit's share locks: no deadlock between them.
    return pool.preparedQuery("UPDATE shard_leases l SET expires_at = now() + $4 * interval '1 millisecond'"
            + " FROM (SELECT s.shard FROM shard_leases s JOIN unnest($1::int[], $2::bigint[]) AS f(shard, epoch)"
            + " ON s.shard = f.shard AND s.epoch = f.epoch WHERE s.owner = $3 AND s.expires_at > now()"
            + " ORDER BY s.shard FOR UPDATE OF s) AS mine WHERE l.shard = mine.shard"
            + " RETURNING l.shard")
        .execute(Tuple.tuple().addArrayOfInteger(shards.toArray(Integer[]::new))
            .addArrayOfLong(epochs.toArray(Long[]::new)).addString(config.sequencerId()).addLong(config.leaseTtlMs()))
        .map(rows -> {
          Set<Integer> renewed = new TreeSet<>();
          rows.forEach(r -> renewed.add(r.getInteger(0)));
          Set<Integer> lost = new TreeSet<>(held.keySet());
          lost.removeAll(renewed);
          if (!lost.isEmpty()) {
            LOG.warning("lost the leases of shards " + lost + " (taken over or expired)");
            lose(lost);
          }
          // Our own clock bounds how long we may act on them: a renewal period less than the TTL.
          validUntil = started + config.leaseTtlMs() - config.leaseRenewMs();
          return null;
        });
  }

  private Future<Void> balance() {
    return pool.preparedQuery("INSERT INTO sequencers (id, seen_at) VALUES ($1, now())"
            + " ON CONFLICT (id) DO UPDATE SET seen_at = now()").execute(Tuple.of(config.sequencerId()))
        .compose(r -> pool.preparedQuery("SELECT count(*) FROM sequencers"
            + " WHERE seen_at > now() - $1 * interval '1 millisecond'").execute(Tuple.of(config.leaseTtlMs())))
        .compose(rows -> {
          long live = Math.max(1, rows.iterator().next().getLong(0));
          int fair = (int) ((config.shardCount() + live - 1) / live);
          if (held.size() < fair) {
            return acquire(fair - held.size());
          }
          if (held.size() > fair) {
            return release(held.size() - fair);
          }
          return Future.succeededFuture();
        });
  }

  private Future<Void> acquire(int wanted) {
    return pool.preparedQuery("UPDATE shard_leases l SET owner = $1, epoch = l.epoch + 1,"
            + " expires_at = now() + $2 * interval '1 millisecond'"
            + " WHERE l.shard IN (SELECT shard FROM shard_leases WHERE owner IS NULL OR expires_at <= now()"
            + " ORDER BY shard LIMIT $3 FOR UPDATE SKIP LOCKED) AND (l.owner IS NULL OR l.expires_at <= now())"
            + " RETURNING l.shard, l.epoch")
        .execute(Tuple.of(config.sequencerId(), config.leaseTtlMs(), wanted))
        .map(rows -> {
          Set<Integer> gained = new TreeSet<>();
          for (Row r : rows) {
            held.put(r.getInteger("shard"), r.getLong("epoch"));
            gained.add(r.getInteger("shard"));
          }
          if (!gained.isEmpty()) {
            owned = Set.copyOf(held.keySet());
            LOG.info(config.sequencerId() + " acquired shards " + gained);
            onAcquired.accept(gained);
          }
          return null;
        });
  }

  /** Hands back the highest-numbered shards beyond the fair share. */
  private Future<Void> release(int excess) {
    List<Integer> mine = new ArrayList<>(new TreeSet<>(held.keySet()).descendingSet());
    Set<Integer> giving = new TreeSet<>(mine.subList(0, excess));
    lose(giving);
    return pool.preparedQuery("UPDATE shard_leases l SET owner = NULL, expires_at = '-infinity' FROM (SELECT shard"
            + " FROM shard_leases WHERE owner = $1 AND shard = ANY($2::int[]) ORDER BY shard FOR UPDATE) AS mine"
            + " WHERE l.shard = mine.shard")
        .execute(Tuple.tuple().addString(config.sequencerId()).addArrayOfInteger(giving.toArray(Integer[]::new)))
        .onSuccess(r -> LOG.info(config.sequencerId() + " released shards " + giving + " to balance"))
        .mapEmpty();
  }

  private void lose(Set<Integer> shards) {
    if (shards.isEmpty()) {
      return;
    }
    Set<Integer> copy = Set.copyOf(shards);
    copy.forEach(held::remove);
    owned = Set.copyOf(held.keySet());
    onLost.accept(copy);
  }
}
