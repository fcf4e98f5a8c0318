package io.flowstate.shared.config;

import io.flowstate.shared.canvas.CanvasLimits;
import io.flowstate.shared.channel.Channels;
import java.util.UUID;

/**
 * Everything a sequencer is configured with: stores, shard count, group-commit sizing, snapshot
 * cadence, undo depth and the canvas limits it validates ops against. Built from the environment
 * by {@link #fromEnv} or in code by tests through {@link #builder}. {@code guestAccess} (dev mode
 * only) lets anyone write to a room that is not a canvas; otherwise only canvases accept ops, from
 * their editors and owners. {@code accessCacheTtlMs} bounds how long a resolved role is reused.
 */
public record SequencerConfig(
    String sequencerId,
    String redisUrl,
    String redisPrefix,
    RedisMode redisMode,
    String pgUrl,
    int pgPoolSize,
    int shardCount,
    int maxCommitBatch,
    int dedupCacheSize,
    long roomIdleEvictMs,
    int snapshotEveryOps,
    long snapshotEveryMs,
    long verifySnapshotMaxOps,
    int maxUndoDepth,
    long drainDeadlineMs,
    String httpHost,
    int httpPort,
    CanvasLimits canvasLimits,
    boolean guestAccess,
    long accessCacheTtlMs,
    long leaseTtlMs,
    long leaseRenewMs) {

  /** Default port of the sequencer's health/metrics listener when started from the environment. */
  public static final int DEFAULT_HTTP_PORT = 8081;

  public static final int DEFAULT_PG_POOL_SIZE = 4;
  public static final int DEFAULT_MAX_COMMIT_BATCH = 2_000;
  public static final int DEFAULT_DEDUP_CACHE_SIZE = 4_096;
  public static final long DEFAULT_ROOM_IDLE_EVICT_MS = 10 * 60_000;
  public static final int DEFAULT_SNAPSHOT_EVERY_OPS = 1_000;
  public static final long DEFAULT_SNAPSHOT_EVERY_MS = 60_000;
  public static final long DEFAULT_VERIFY_SNAPSHOT_MAX_OPS = 10_000;
  public static final int DEFAULT_MAX_UNDO_DEPTH = 100;
  public static final long DEFAULT_LEASE_TTL_MS = 5_000;
  public static final long DEFAULT_LEASE_RENEW_MS = 1_000;

  public static SequencerConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public static SequencerConfig fromEnv(Env env) {
    return fromEnv(env, false);
  }

  /** From the environment; {@code guestDefault} is the guest-access default (dev mode: on). */
  public static SequencerConfig fromEnv(Env env, boolean guestDefault) {
    CanvasLimits l = CanvasLimits.defaults();
    return builder()
        .guestAccess(env.bool("FLOWSTATE_GUEST_ACCESS", guestDefault))
        .leases(env.longValue("FLOWSTATE_LEASE_TTL_MS", DEFAULT_LEASE_TTL_MS),
            env.longValue("FLOWSTATE_LEASE_RENEW_MS", DEFAULT_LEASE_RENEW_MS))
        .accessCacheTtlMs(env.longValue("FLOWSTATE_ACCESS_CACHE_TTL_MS", GatewayConfig.Accounts.DEFAULT_ACCESS_CACHE_TTL_MS))
        .sequencerId(env.string("FLOWSTATE_SEQUENCER_ID", "seq-" + UUID.randomUUID().toString().substring(0, 8)))
        .stores(env.string("FLOWSTATE_REDIS_URL", GatewayConfig.DEFAULT_REDIS_URL),
            env.string("FLOWSTATE_PG_URL", GatewayConfig.DEFAULT_PG_URL))
        .redisPrefix(env.string("FLOWSTATE_REDIS_PREFIX", Channels.DEFAULT_PREFIX))
        .redisMode(RedisMode.parse(env.string("FLOWSTATE_REDIS_MODE", "standalone")))
        .pgPoolSize(env.integer("FLOWSTATE_SEQUENCER_PG_POOL_SIZE", DEFAULT_PG_POOL_SIZE))
        .shardCount(env.integer("FLOWSTATE_SHARDS", GatewayConfig.DEFAULT_SHARD_COUNT))
        .maxCommitBatch(env.integer("FLOWSTATE_MAX_COMMIT_BATCH", DEFAULT_MAX_COMMIT_BATCH))
        .dedupCacheSize(env.integer("FLOWSTATE_DEDUP_CACHE_SIZE", DEFAULT_DEDUP_CACHE_SIZE))
        .roomIdleEvictMs(env.longValue("FLOWSTATE_ROOM_IDLE_EVICT_MS", DEFAULT_ROOM_IDLE_EVICT_MS))
        .snapshots(env.integer("FLOWSTATE_SNAPSHOT_EVERY_OPS", DEFAULT_SNAPSHOT_EVERY_OPS),
            env.longValue("FLOWSTATE_SNAPSHOT_EVERY_MS", DEFAULT_SNAPSHOT_EVERY_MS))
        .verifySnapshotMaxOps(env.longValue("FLOWSTATE_VERIFY_SNAPSHOT_MAX_OPS", DEFAULT_VERIFY_SNAPSHOT_MAX_OPS))
        .maxUndoDepth(env.integer("FLOWSTATE_MAX_UNDO_DEPTH", DEFAULT_MAX_UNDO_DEPTH))
        .drainDeadlineMs(env.longValue("FLOWSTATE_DRAIN_DEADLINE_MS", GatewayConfig.DEFAULT_DRAIN_DEADLINE_MS))
        .http(env.string("FLOWSTATE_SEQUENCER_HTTP_HOST", GatewayConfig.DEFAULT_HTTP_HOST),
            env.integer("FLOWSTATE_SEQUENCER_HTTP_PORT", DEFAULT_HTTP_PORT))
        .canvasLimits(new CanvasLimits(
            env.integer("FLOWSTATE_MAX_SHAPE_ID_LENGTH", l.maxIdLength()),
            env.integer("FLOWSTATE_MAX_BATCH_OPS", l.maxBatchOps()),
            env.integer("FLOWSTATE_MAX_TEXT_CHARS", l.maxTextChars()),
            env.integer("FLOWSTATE_MAX_POINTS", l.maxPoints()),
            env.integer("FLOWSTATE_MAX_STYLE_STRING_LENGTH", l.maxStyleStringLength()),
            env.integer("FLOWSTATE_MAX_Z_LENGTH", l.maxZLength()),
            env.integer("FLOWSTATE_MAX_SHAPES", l.maxShapes())))
        .build();
  }

  public SequencerConfig withStores(String redis, String pg) {
    return toBuilder().stores(redis, pg).build();
  }

  public SequencerConfig withRedisPrefix(String prefix) {
    return toBuilder().redisPrefix(prefix).build();
  }

  public Builder toBuilder() {
    return builder().sequencerId(sequencerId).stores(redisUrl, pgUrl).redisPrefix(redisPrefix).redisMode(redisMode).pgPoolSize(pgPoolSize)
        .shardCount(shardCount).maxCommitBatch(maxCommitBatch).dedupCacheSize(dedupCacheSize)
        .roomIdleEvictMs(roomIdleEvictMs).snapshots(snapshotEveryOps, snapshotEveryMs)
        .verifySnapshotMaxOps(verifySnapshotMaxOps).maxUndoDepth(maxUndoDepth).drainDeadlineMs(drainDeadlineMs).http(httpHost, httpPort).canvasLimits(canvasLimits)
        .guestAccess(guestAccess).accessCacheTtlMs(accessCacheTtlMs).leases(leaseTtlMs, leaseRenewMs);
  }

  /** Mutable builder; fields start at the defaults. */
  public static final class Builder {
    private String sequencerId = "seq-" + UUID.randomUUID().toString().substring(0, 8);
    private String redisUrl = GatewayConfig.DEFAULT_REDIS_URL;
    private String redisPrefix = Channels.DEFAULT_PREFIX;
    private RedisMode redisMode = RedisMode.STANDALONE;
    private String pgUrl = GatewayConfig.DEFAULT_PG_URL;
    private int pgPoolSize = DEFAULT_PG_POOL_SIZE;
    private int shardCount = GatewayConfig.DEFAULT_SHARD_COUNT;
    private int maxCommitBatch = DEFAULT_MAX_COMMIT_BATCH;
    private int dedupCacheSize = DEFAULT_DEDUP_CACHE_SIZE;
    private long roomIdleEvictMs = DEFAULT_ROOM_IDLE_EVICT_MS;
    private int snapshotEveryOps = DEFAULT_SNAPSHOT_EVERY_OPS;
    private long snapshotEveryMs = DEFAULT_SNAPSHOT_EVERY_MS;
    private long verifySnapshotMaxOps = DEFAULT_VERIFY_SNAPSHOT_MAX_OPS;
    private int maxUndoDepth = DEFAULT_MAX_UNDO_DEPTH;
    private CanvasLimits canvasLimits = CanvasLimits.defaults();
    private long drainDeadlineMs = GatewayConfig.DEFAULT_DRAIN_DEADLINE_MS;
    private String httpHost = "127.0.0.1";
    private int httpPort = -1;
    private boolean guestAccess;
    private long accessCacheTtlMs = GatewayConfig.Accounts.DEFAULT_ACCESS_CACHE_TTL_MS;
    private long leaseTtlMs = DEFAULT_LEASE_TTL_MS;
    private long leaseRenewMs = DEFAULT_LEASE_RENEW_MS;

    public Builder sequencerId(String v) { sequencerId = v; return this; }
    public Builder stores(String redis, String pg) { redisUrl = redis; pgUrl = pg; return this; }
    public Builder redisPrefix(String v) { redisPrefix = v; return this; }
    /** Standalone Redis or Redis Cluster; in cluster mode the Redis URL may list seeds comma-separated. */
    public Builder redisMode(RedisMode v) { redisMode = v; return this; }
    public Builder pgPoolSize(int v) { pgPoolSize = v; return this; }
    public Builder shardCount(int v) { shardCount = v; return this; }
    public Builder maxCommitBatch(int v) { maxCommitBatch = v; return this; }
    public Builder dedupCacheSize(int v) { dedupCacheSize = v; return this; }
    public Builder roomIdleEvictMs(long v) { roomIdleEvictMs = v; return this; }
    public Builder snapshots(int everyOps, long everyMs) { snapshotEveryOps = everyOps; snapshotEveryMs = everyMs; return this; }
    public Builder verifySnapshotMaxOps(long v) { verifySnapshotMaxOps = v; return this; }
    public Builder maxUndoDepth(int v) { maxUndoDepth = v; return this; }
    public Builder canvasLimits(CanvasLimits v) { canvasLimits = v; return this; }
    public Builder drainDeadlineMs(long v) { drainDeadlineMs = v; return this; }
    public Builder guestAccess(boolean v) { guestAccess = v; return this; }
    public Builder accessCacheTtlMs(long v) { accessCacheTtlMs = v; return this; }
    /** Shard leases last {@code ttlMs} and are renewed (and rebalanced) every {@code renewMs}. */
    public Builder leases(long ttlMs, long renewMs) { leaseTtlMs = ttlMs; leaseRenewMs = renewMs; return this; }
    /** The health/metrics listener; a negative port disables it (the builder's default). */
    public Builder http(String host, int port) { httpHost = host; httpPort = port; return this; }

    public SequencerConfig build() {
      return new SequencerConfig(sequencerId, redisUrl, redisPrefix, redisMode, pgUrl, pgPoolSize, shardCount, maxCommitBatch,
          dedupCacheSize, roomIdleEvictMs, snapshotEveryOps, snapshotEveryMs, verifySnapshotMaxOps, maxUndoDepth,
          drainDeadlineMs, httpHost, httpPort, canvasLimits, guestAccess, accessCacheTtlMs, leaseTtlMs, leaseRenewMs);
    }
  }
}
