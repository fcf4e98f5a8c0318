package io.flowstate.shared.config;

import io.flowstate.shared.canvas.CanvasLimits;
import io.flowstate.shared.channel.Channels;
import java.util.UUID;

/**
 * Everything a sequencer is configured with: stores, shard count, group-commit sizing and the
 * canvas limits it validates ops against. Built from the environment by {@link #fromEnv} or in
 * code by tests, starting from {@link #defaults}.
 */
public record SequencerConfig(
    String sequencerId,
    String redisUrl,
    String redisPrefix,
    String pgUrl,
    int pgPoolSize,
    int shardCount,
    int maxCommitBatch,
    int dedupCacheSize,
    long roomIdleEvictMs,
    CanvasLimits canvasLimits) {

  public static final int DEFAULT_PG_POOL_SIZE = 4;
  public static final int DEFAULT_MAX_COMMIT_BATCH = 2_000;
  public static final int DEFAULT_DEDUP_CACHE_SIZE = 4_096;
  public static final long DEFAULT_ROOM_IDLE_EVICT_MS = 10 * 60_000;

  public static SequencerConfig defaults() {
    return new SequencerConfig("seq-" + UUID.randomUUID().toString().substring(0, 8),
        GatewayConfig.DEFAULT_REDIS_URL, Channels.DEFAULT_PREFIX, GatewayConfig.DEFAULT_PG_URL, DEFAULT_PG_POOL_SIZE,
        GatewayConfig.DEFAULT_SHARD_COUNT, DEFAULT_MAX_COMMIT_BATCH, DEFAULT_DEDUP_CACHE_SIZE,
        DEFAULT_ROOM_IDLE_EVICT_MS, CanvasLimits.defaults());
  }

  public static SequencerConfig fromEnv(Env env) {
    SequencerConfig d = defaults();
    CanvasLimits l = d.canvasLimits;
    CanvasLimits limits = new CanvasLimits(
        env.integer("FLOWSTATE_MAX_SHAPE_ID_LENGTH", l.maxIdLength()),
        env.integer("FLOWSTATE_MAX_BATCH_OPS", l.maxBatchOps()),
        env.integer("FLOWSTATE_MAX_TEXT_CHARS", l.maxTextChars()),
        env.integer("FLOWSTATE_MAX_POINTS", l.maxPoints()),
        env.integer("FLOWSTATE_MAX_STYLE_STRING_LENGTH", l.maxStyleStringLength()),
        env.integer("FLOWSTATE_MAX_Z_LENGTH", l.maxZLength()),
        env.integer("FLOWSTATE_MAX_SHAPES", l.maxShapes()));
    return new SequencerConfig(
        env.string("FLOWSTATE_SEQUENCER_ID", d.sequencerId),
        env.string("FLOWSTATE_REDIS_URL", d.redisUrl),
        env.string("FLOWSTATE_REDIS_PREFIX", d.redisPrefix),
        env.string("FLOWSTATE_PG_URL", d.pgUrl),
        env.integer("FLOWSTATE_SEQUENCER_PG_POOL_SIZE", d.pgPoolSize),
        env.integer("FLOWSTATE_SHARDS", d.shardCount),
        env.integer("FLOWSTATE_MAX_COMMIT_BATCH", d.maxCommitBatch),
        env.integer("FLOWSTATE_DEDUP_CACHE_SIZE", d.dedupCacheSize),
        env.longValue("FLOWSTATE_ROOM_IDLE_EVICT_MS", d.roomIdleEvictMs),
        limits);
  }

  public SequencerConfig withStores(String redis, String pg) {
    return new SequencerConfig(sequencerId, redis, redisPrefix, pg, pgPoolSize, shardCount, maxCommitBatch,
        dedupCacheSize, roomIdleEvictMs, canvasLimits);
  }

  public SequencerConfig withRedisPrefix(String prefix) {
    return new SequencerConfig(sequencerId, redisUrl, prefix, pgUrl, pgPoolSize, shardCount, maxCommitBatch,
        dedupCacheSize, roomIdleEvictMs, canvasLimits);
  }

  public SequencerConfig withCanvasLimits(CanvasLimits limits) {
    return new SequencerConfig(sequencerId, redisUrl, redisPrefix, pgUrl, pgPoolSize, shardCount, maxCommitBatch,
        dedupCacheSize, roomIdleEvictMs, limits);
  }
}
