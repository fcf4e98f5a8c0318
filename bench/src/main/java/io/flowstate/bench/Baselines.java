package io.flowstate.bench;

import io.flowstate.shared.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code baselines}: what this machine's PostgreSQL and Redis physically do, measured in the same
 * run against the same servers FlowState uses. PostgreSQL: OpStore's commit statement (multi-row
 * unnest INSERT into a copy of {@code ops} with its indexes, plus the heads upsert into a copy of
 * {@code rooms}), same row shape, same server and session durability settings; batched rows/s
 * with one connection (like the sequencer's one commit at a time) and with four, and the latency
 * of a one-row commit. Redis: PUBLISH → SUBSCRIBE round trip and pipelined pub/sub throughput.
 */
public final class Baselines implements Scenario {
  private static final String COMMIT = "WITH new_ops AS ("
      + " INSERT INTO bench_ops (room, version, author, author_name, client_op_id, op, inverse, undo_of, redo_of, committed_at)"
      + " SELECT r, v, a, an, c, o::jsonb, i::jsonb, u, rd, $10"
      + " FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],"
      + " $8::bigint[], $9::bigint[]) AS t(r, v, a, an, c, o, i, u, rd)"
      + " RETURNING 1),"
      + " heads AS (INSERT INTO bench_rooms AS rm (id, head) SELECT * FROM unnest($11::text[], $12::bigint[])"
      + " ON CONFLICT (id) DO UPDATE SET head = EXCLUDED.head RETURNING 1)"
      + " SELECT (SELECT count(*) FROM new_ops) AS ops, (SELECT count(*) FROM heads) AS rooms";

  @Override
  public String name() {
    return "baselines";
  }

  @Override
  public void run(Bench b) {
    int seconds = b.options.seconds("baseline-seconds", 5, 15);
    if (b.target.pgUrl() != null) {
      postgres(b, seconds);
    } else {
      b.out.println("baselines: PostgreSQL skipped (no --pg-url)");
    }
    if (b.target.redisUrl() != null) {
      redis(b, seconds);
    } else {
      b.out.println("baselines: Redis skipped (no --redis-url)");
    }
  }

  private void postgres(Bench b, int seconds) {
    Pool pool = Database.pool(b.vertx, b.target.pgUrl(), 4);
    try {
      Bench.await(pool.query("CREATE TABLE IF NOT EXISTS bench_ops (LIKE ops INCLUDING ALL)").execute()
          .compose(r -> pool.query("CREATE TABLE IF NOT EXISTS bench_rooms (LIKE rooms INCLUDING ALL)").execute())
          .compose(r -> pool.query("TRUNCATE bench_ops, bench_rooms").execute()), Duration.ofMinutes(1));
      String settings = Bench.await(pool.query("SELECT current_setting('server_version') AS v,"
          + " current_setting('synchronous_commit') AS sc, current_setting('fsync') AS fs").execute()
          .map(rs -> {
            var row = rs.iterator().next();
            return "PostgreSQL " + row.getString("v") + ", fsync=" + row.getString("fs") + ", synchronous_commit="
                + row.getString("sc");
          }), Duration.ofSeconds(30));
      b.report.meta("postgresql", settings);
      b.out.println("baselines: " + settings);
      AtomicLong version = new AtomicLong();
      int batch = b.options.integer("baseline-batch", 100, 100);
      double serial = insertRate(b, pool, 1, batch, seconds, version);
      double parallel = insertRate(b, pool, 4, batch, seconds, version);
      b.report.add(name(), "pg INSERT rows/s, 1 conn, " + batch + "/stmt", serial, "rows/s");
      b.report.add(name(), "pg INSERT rows/s, 4 conns, " + batch + "/stmt", parallel, "rows/s");
      b.report.baseline("pg batched INSERT rows/s", Math.max(serial, parallel), "rows/s");
      LatencyStats single = new LatencyStats();
      long end = System.nanoTime() + seconds * 1_000_000_000L / 2;
      while (System.nanoTime() < end) {
        long t0 = System.nanoTime();
        Bench.await(commit(pool, 1, version), Duration.ofSeconds(30));
        single.recordNanos(System.nanoTime() - t0);
      }
      single.tick();
      b.report.baseline("pg single-row commit p50", single.total().p50() / 1000.0, "ms");
      b.report.baseline("pg single-row commit p99", single.total().p99() / 1000.0, "ms");
      Bench.await(pool.query("DROP TABLE bench_ops, bench_rooms").execute(), Duration.ofMinutes(1));
    } finally {
      Bench.await(pool.close(), Duration.ofSeconds(30));
    }
  }

  private double insertRate(Bench b, Pool pool, int concurrency, int batch, int seconds, AtomicLong version) {
    AtomicLong rows = new AtomicLong();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Future<Void>> loops = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < concurrency; i++) {
      Promise<Void> done = Promise.promise();
      loop(pool, batch, end, version, rows, done);
      loops.add(done.future());
    }
    Bench.await(Future.all(loops), Duration.ofSeconds(seconds + 60L));
    double rate = rows.get() / ((System.nanoTime() - t0) / 1e9);
    b.out.printf(java.util.Locale.ROOT, "baselines: pg INSERT %d conn(s), %d rows per statement: %,.0f rows/s%n",
        concurrency, batch, rate);
    return rate;
  }

  private void loop(Pool pool, int batch, long end, AtomicLong version, AtomicLong rows, Promise<Void> done) {
    if (System.nanoTime() >= end) {
      done.complete();
      return;
    }
    commit(pool, batch, version).onSuccess(v -> {
      rows.addAndGet(batch);
      loop(pool, batch, end, version, rows, done);
    }).onFailure(done::fail);
  }

  /** One OpStore-shaped commit of {@code n} rows over up to 10 rooms. */
  private static Future<Void> commit(Pool pool, int n, AtomicLong version) {
    String[] room = new String[n];
    Long[] ver = new Long[n];
    String[] author = new String[n];
    String[] authorName = new String[n];
    String[] clientOpId = new String[n];
    String[] op = new String[n];
    String[] inverse = new String[n];
    Long[] none = new Long[n];
    int roomCount = Math.min(10, n);
    String[] heads = new String[roomCount];
    Long[] headVersions = new Long[roomCount];
    for (int i = 0; i < n; i++) {
      long v = version.incrementAndGet();
      room[i] = "baseline-r" + (v % 10);
      ver[i] = v;
      author[i] = "guest-baselinewriter" + (v % 10);
      authorName[i] = "baselinewriter" + (v % 10);
      clientOpId[i] = "s-guest-baselinewriter-" + v;
      op[i] = "{\"kind\":\"move_shape\",\"id\":\"s-guest-baselinewriter\",\"x\":" + (v % 1000) + ",\"y\":" + (v % 777) + "}";
      inverse[i] = "{\"kind\":\"update_shape\",\"id\":\"s-guest-baselinewriter\",\"set\":{\"x\":1,\"y\":2}}";
      if (i < roomCount) {
        heads[i] = "baseline-r" + (v % 10);
        headVersions[i] = v;
      }
    }
    Tuple params = Tuple.tuple().addArrayOfString(room).addArrayOfLong(ver).addArrayOfString(author)
        .addArrayOfString(authorName).addArrayOfString(clientOpId).addArrayOfString(op).addArrayOfString(inverse)
        .addArrayOfLong(none).addArrayOfLong(none).addOffsetDateTime(OffsetDateTime.now(ZoneOffset.UTC))
        .addArrayOfString(heads).addArrayOfLong(headVersions);
    return pool.preparedQuery(COMMIT).execute(params).mapEmpty();
  }

  private void redis(Bench b, int seconds) {
    Redis client = Redis.createClient(b.vertx, new RedisOptions().setConnectionString(b.target.redisUrl())
        .setMaxWaitingHandlers(1_000_000).setMaxPoolWaiting(1_000).setProtocolNegotiation(false));
    RedisConnection pub = Bench.await(client.connect(), Duration.ofSeconds(10));
    RedisConnection sub = Bench.await(client.connect(), Duration.ofSeconds(10));
    String channel = "bench:baseline:" + System.nanoTime();
    AtomicLong received = new AtomicLong();
    java.util.concurrent.atomic.AtomicReference<Promise<Void>> waiting = new java.util.concurrent.atomic.AtomicReference<>();
    sub.handler(push -> {
      if ((push.type() == ResponseType.PUSH || push.type() == ResponseType.MULTI) && push.size() >= 3
          && "message".equals(push.get(0).toString())) {
        received.incrementAndGet();
        Promise<Void> w = waiting.getAndSet(null);
        if (w != null) {
          w.tryComplete();
        }
      }
    });
    try {
      Bench.await(sub.send(Request.cmd(Command.SUBSCRIBE).arg(channel)), Duration.ofSeconds(10));
      String payload = "{\"type\":\"op\",\"room\":\"baseline\",\"version\":1,\"id\":\"s-guest-baselinewriter-1\","
          + "\"author\":{\"id\":\"guest-baselinewriter\",\"name\":\"baselinewriter\"},\"op\":{\"kind\":\"move_shape\","
          + "\"id\":\"s-guest-baselinewriter\",\"x\":1,\"y\":2},\"at\":\"2026-01-01T00:00:00Z\"}";
      LatencyStats rtt = new LatencyStats();
      long end = System.nanoTime() + seconds * 1_000_000_000L / 2;
      while (System.nanoTime() < end) {
        Promise<Void> p = Promise.promise();
        waiting.set(p);
        long t0 = System.nanoTime();
        pub.send(Request.cmd(Command.PUBLISH).arg(channel).arg(payload));
        Bench.await(p.future(), Duration.ofSeconds(10));
        rtt.recordNanos(System.nanoTime() - t0);
      }
      rtt.tick();
      b.report.baseline("redis PUBLISH→message p50", rtt.total().p50() / 1000.0, "ms");
      b.report.add(name(), "redis PUBLISH→message p99", rtt.total().p99() / 1000.0, "ms");
      long r0 = received.get();
      long t0 = System.nanoTime();
      long stop = t0 + seconds * 1_000_000_000L;
      int batch = 100;
      while (System.nanoTime() < stop) {
        List<Future<List<Response>>> inFlight = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
          List<Request> reqs = new ArrayList<>(batch);
          for (int i = 0; i < batch; i++) {
            reqs.add(Request.cmd(Command.PUBLISH).arg(channel).arg(payload));
          }
          inFlight.add(pub.batch(reqs));
        }
        Bench.await(Future.all(inFlight), Duration.ofSeconds(30));
      }
      long sentUntil = System.nanoTime();
      Bench.waitUntil(() -> false, Duration.ofMillis(300));
      double rate = (received.get() - r0) / ((sentUntil - t0) / 1e9);
      b.report.baseline("redis pub/sub msgs/s", rate, "msgs/s");
      b.out.printf(java.util.Locale.ROOT, "baselines: redis pub/sub %,.0f msgs/s (1 publisher, 1 subscriber, 8 pipelines of %d in flight)%n",
          rate, batch);
      String info = Bench.await(pub.send(Request.cmd(Command.INFO).arg("server")), Duration.ofSeconds(10)).toString();
      for (String line : info.split("\r?\n")) {
        if (line.startsWith("redis_version:")) {
          b.report.meta("redis", "Redis " + line.substring("redis_version:".length()).trim());
        }
      }
    } finally {
      pub.close();
      sub.close();
      client.close();
    }
  }
}
