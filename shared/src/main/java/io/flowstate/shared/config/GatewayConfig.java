package io.flowstate.shared.config;

import io.flowstate.shared.channel.Channels;
import java.util.UUID;

/**
 * Everything a gateway is configured with; every limit is a field. Built from environment
 * variables by {@link #fromEnv} (names in docs/OPERATIONS.md) or in code by tests, starting
 * from {@link #defaults}.
 */
public record GatewayConfig(
    String gatewayId,
    String httpHost,
    int httpPort,
    String redisUrl,
    String redisPrefix,
    String pgUrl,
    int pgPoolSize,
    boolean guestAccess,
    int shardCount,
    int maxFrameBytes,
    int maxOpBytes,
    int maxRoomIdLength,
    int maxClientOpIdLength,
    int maxRoomsPerConnection,
    long opTimeoutMs,
    long heartbeatMs,
    long heartbeatTimeoutMs,
    int maxCatchupOps,
    int maxOutboundBytes) {

  public static final String DEFAULT_HTTP_HOST = "0.0.0.0";
  public static final int DEFAULT_HTTP_PORT = 8080;
  public static final String DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
  public static final String DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/flowstate";
  public static final int DEFAULT_PG_POOL_SIZE = 8;
  public static final int DEFAULT_SHARD_COUNT = 256;
  public static final int DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
  public static final int DEFAULT_MAX_OP_BYTES = 512 * 1024;
  public static final int DEFAULT_MAX_ROOM_ID_LENGTH = 128;
  public static final int DEFAULT_MAX_CLIENT_OP_ID_LENGTH = 64;
  public static final int DEFAULT_MAX_ROOMS_PER_CONNECTION = 64;
  public static final long DEFAULT_OP_TIMEOUT_MS = 5_000;
  public static final long DEFAULT_HEARTBEAT_MS = 15_000;
  public static final long DEFAULT_HEARTBEAT_TIMEOUT_MS = 45_000;
  public static final int DEFAULT_MAX_CATCHUP_OPS = 1_000;
  public static final int DEFAULT_MAX_OUTBOUND_BYTES = 4 * 1024 * 1024;

  /** Production defaults: guest access off, a random gateway id. */
  public static GatewayConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public static GatewayConfig fromEnv(Env env, boolean guestDefault) {
    GatewayConfig d = defaults();
    return new GatewayConfig(
        env.string("FLOWSTATE_GATEWAY_ID", d.gatewayId),
        env.string("FLOWSTATE_HTTP_HOST", d.httpHost),
        env.integer("FLOWSTATE_HTTP_PORT", d.httpPort),
        env.string("FLOWSTATE_REDIS_URL", d.redisUrl),
        env.string("FLOWSTATE_REDIS_PREFIX", d.redisPrefix),
        env.string("FLOWSTATE_PG_URL", d.pgUrl),
        env.integer("FLOWSTATE_GATEWAY_PG_POOL_SIZE", d.pgPoolSize),
        env.bool("FLOWSTATE_GUEST_ACCESS", guestDefault),
        env.integer("FLOWSTATE_SHARDS", d.shardCount),
        env.integer("FLOWSTATE_MAX_FRAME_BYTES", d.maxFrameBytes),
        env.integer("FLOWSTATE_MAX_OP_BYTES", d.maxOpBytes),
        env.integer("FLOWSTATE_MAX_ROOM_ID_LENGTH", d.maxRoomIdLength),
        env.integer("FLOWSTATE_MAX_CLIENT_OP_ID_LENGTH", d.maxClientOpIdLength),
        env.integer("FLOWSTATE_MAX_ROOMS_PER_CONNECTION", d.maxRoomsPerConnection),
        env.longValue("FLOWSTATE_OP_TIMEOUT_MS", d.opTimeoutMs),
        env.longValue("FLOWSTATE_HEARTBEAT_MS", d.heartbeatMs),
        env.longValue("FLOWSTATE_HEARTBEAT_TIMEOUT_MS", d.heartbeatTimeoutMs),
        env.integer("FLOWSTATE_MAX_CATCHUP_OPS", d.maxCatchupOps),
        env.integer("FLOWSTATE_MAX_OUTBOUND_BYTES", d.maxOutboundBytes));
  }

  /** A builder starting from this config. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.gatewayId = gatewayId;
    b.httpHost = httpHost;
    b.httpPort = httpPort;
    b.redisUrl = redisUrl;
    b.redisPrefix = redisPrefix;
    b.pgUrl = pgUrl;
    b.pgPoolSize = pgPoolSize;
    b.guestAccess = guestAccess;
    b.shardCount = shardCount;
    b.maxFrameBytes = maxFrameBytes;
    b.maxOpBytes = maxOpBytes;
    b.maxRoomIdLength = maxRoomIdLength;
    b.maxClientOpIdLength = maxClientOpIdLength;
    b.maxRoomsPerConnection = maxRoomsPerConnection;
    b.opTimeoutMs = opTimeoutMs;
    b.heartbeatMs = heartbeatMs;
    b.heartbeatTimeoutMs = heartbeatTimeoutMs;
    b.maxCatchupOps = maxCatchupOps;
    b.maxOutboundBytes = maxOutboundBytes;
    return b;
  }

  /** Mutable builder for tests and the launcher; fields start at the defaults. */
  public static final class Builder {
    private String gatewayId = "gw-" + UUID.randomUUID().toString().substring(0, 8);
    private String httpHost = DEFAULT_HTTP_HOST;
    private int httpPort = DEFAULT_HTTP_PORT;
    private String redisUrl = DEFAULT_REDIS_URL;
    private String redisPrefix = Channels.DEFAULT_PREFIX;
    private String pgUrl = DEFAULT_PG_URL;
    private int pgPoolSize = DEFAULT_PG_POOL_SIZE;
    private boolean guestAccess;
    private int shardCount = DEFAULT_SHARD_COUNT;
    private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
    private int maxOpBytes = DEFAULT_MAX_OP_BYTES;
    private int maxRoomIdLength = DEFAULT_MAX_ROOM_ID_LENGTH;
    private int maxClientOpIdLength = DEFAULT_MAX_CLIENT_OP_ID_LENGTH;
    private int maxRoomsPerConnection = DEFAULT_MAX_ROOMS_PER_CONNECTION;
    private long opTimeoutMs = DEFAULT_OP_TIMEOUT_MS;
    private long heartbeatMs = DEFAULT_HEARTBEAT_MS;
    private long heartbeatTimeoutMs = DEFAULT_HEARTBEAT_TIMEOUT_MS;
    private int maxCatchupOps = DEFAULT_MAX_CATCHUP_OPS;
    private int maxOutboundBytes = DEFAULT_MAX_OUTBOUND_BYTES;

    public Builder gatewayId(String v) { gatewayId = v; return this; }
    public Builder http(String host, int port) { httpHost = host; httpPort = port; return this; }
    public Builder stores(String redis, String pg) { redisUrl = redis; pgUrl = pg; return this; }
    public Builder redisPrefix(String v) { redisPrefix = v; return this; }
    public Builder pgPoolSize(int v) { pgPoolSize = v; return this; }
    public Builder guestAccess(boolean v) { guestAccess = v; return this; }
    public Builder shardCount(int v) { shardCount = v; return this; }
    public Builder maxFrameBytes(int v) { maxFrameBytes = v; return this; }
    public Builder maxOpBytes(int v) { maxOpBytes = v; return this; }
    public Builder maxRoomIdLength(int v) { maxRoomIdLength = v; return this; }
    public Builder maxClientOpIdLength(int v) { maxClientOpIdLength = v; return this; }
    public Builder maxRoomsPerConnection(int v) { maxRoomsPerConnection = v; return this; }
    public Builder opTimeoutMs(long v) { opTimeoutMs = v; return this; }
    public Builder heartbeat(long everyMs, long timeoutMs) { heartbeatMs = everyMs; heartbeatTimeoutMs = timeoutMs; return this; }
    public Builder maxCatchupOps(int v) { maxCatchupOps = v; return this; }
    public Builder maxOutboundBytes(int v) { maxOutboundBytes = v; return this; }

    public GatewayConfig build() {
      return new GatewayConfig(gatewayId, httpHost, httpPort, redisUrl, redisPrefix, pgUrl, pgPoolSize, guestAccess,
          shardCount, maxFrameBytes, maxOpBytes, maxRoomIdLength, maxClientOpIdLength, maxRoomsPerConnection,
          opTimeoutMs, heartbeatMs, heartbeatTimeoutMs, maxCatchupOps, maxOutboundBytes);
    }
  }
}
