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
    RedisMode redisMode,
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
    int maxOutboundBytes,
    int historyCacheEntries,
    long historyCacheBytes,
    int maxOpsPage,
    long maxExportPixels,
    int exportWorkers,
    long presenceTtlMs,
    long presenceIntervalMs,
    int maxPresenceBytes,
    int maxChatChars,
    Rate opsRate,
    Rate presenceRate,
    Rate chatRate,
    int maxConnectionsPerUser,
    int maxConnectionsPerIp,
    java.util.List<String> trustedProxies,
    long drainDeadlineMs,
    Jwt jwt,
    java.util.List<String> allowedOrigins,
    Accounts accounts) {

  /**
   * Access tokens (JWT). {@code HS256} with a shared secret {@code key}: FlowState's own accounts
   * sign and verify with it. {@code RS256}/{@code ES256}: an external identity provider's tokens,
   * verified with its public key (PEM {@code key}) and/or the keys published at {@code jwksUrl}
   * (fetched at start, every {@code jwksRefreshMs}, and when a token names an unknown key id).
   * {@code issuer}/{@code audience} are checked when set. Claims map to the user: {@code userClaim}
   * (id), {@code nameClaim}, {@code emailClaim}. Null: no tokens accepted.
   */
  public record Jwt(String algorithm, String key, String issuer, String audience, String userClaim, String nameClaim,
      String emailClaim, String jwksUrl, long jwksRefreshMs) {
    public static final long DEFAULT_JWKS_REFRESH_MS = 10 * 60_000;

    /** A shared-secret (HS256) configuration, as FlowState's own accounts use. */
    public static Jwt hs256(String secret, String issuer, String audience) {
      return new Jwt("HS256", secret, issuer, audience, "sub", "name", "email", null, DEFAULT_JWKS_REFRESH_MS);
    }

    /** An external identity provider's public key (PEM) for RS256 or ES256. */
    public static Jwt publicKey(String algorithm, String pem, String issuer, String audience) {
      return new Jwt(algorithm, pem, issuer, audience, "sub", "name", "email", null, DEFAULT_JWKS_REFRESH_MS);
    }

    /** An external identity provider publishing its keys at a JWKS URL. */
    public static Jwt jwks(String algorithm, String url, String issuer, String audience) {
      return new Jwt(algorithm, null, issuer, audience, "sub", "name", "email", url, DEFAULT_JWKS_REFRESH_MS);
    }

    /** Whether this server signs its own tokens (accounts, login): a shared HS256 secret. */
    public boolean signsTokens() {
      return "HS256".equals(algorithm) && key != null;
    }

    public Jwt withClaims(String user, String name, String email) {
      return new Jwt(algorithm, key, issuer, audience, user, name, email, jwksUrl, jwksRefreshMs);
    }

    public Jwt withJwksRefreshMs(long ms) {
      return new Jwt(algorithm, key, issuer, audience, userClaim, nameClaim, emailClaim, jwksUrl, ms);
    }

    static Jwt fromEnv(Env env) {
      String key = env.string("FLOWSTATE_JWT_KEY", null);
      String jwksUrl = env.string("FLOWSTATE_JWT_JWKS_URL", null);
      if (key == null && jwksUrl == null) {
        return null;
      }
      return new Jwt(env.string("FLOWSTATE_JWT_ALGORITHM", jwksUrl != null ? "RS256" : "HS256"),
          key == null ? null : key.replace("\\n", "\n"),
          env.string("FLOWSTATE_JWT_ISSUER", null), env.string("FLOWSTATE_JWT_AUDIENCE", null),
          env.string("FLOWSTATE_JWT_USER_CLAIM", "sub"), env.string("FLOWSTATE_JWT_NAME_CLAIM", "name"),
          env.string("FLOWSTATE_JWT_EMAIL_CLAIM", "email"), jwksUrl,
          env.longValue("FLOWSTATE_JWT_JWKS_REFRESH_MS", DEFAULT_JWKS_REFRESH_MS));
    }
  }

  /**
   * FlowState's own accounts and the HTTP API: token lifetimes, the password hash cost (bcrypt),
   * invite lifetimes, the request body limit, how long a resolved role may be served from cache
   * (invalidations over Redis make changes visible sooner), and the public URL invite links use.
   */
  public record Accounts(long accessTokenTtlSeconds, long refreshTokenTtlSeconds, int bcryptCost,
      long inviteTtlSeconds, long maxInviteTtlSeconds, int maxHttpBodyBytes, long accessCacheTtlMs,
      String publicUrl) {
    public static final long DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
    public static final long DEFAULT_REFRESH_TOKEN_TTL_SECONDS = 30L * 24 * 3600;
    public static final int DEFAULT_BCRYPT_COST = 12;
    public static final long DEFAULT_INVITE_TTL_SECONDS = 7L * 24 * 3600;
    public static final long DEFAULT_MAX_INVITE_TTL_SECONDS = 90L * 24 * 3600;
    public static final int DEFAULT_MAX_HTTP_BODY_BYTES = 64 * 1024;
    public static final long DEFAULT_ACCESS_CACHE_TTL_MS = 60_000;

    public static Accounts defaults() {
      return new Accounts(DEFAULT_ACCESS_TOKEN_TTL_SECONDS, DEFAULT_REFRESH_TOKEN_TTL_SECONDS, DEFAULT_BCRYPT_COST,
          DEFAULT_INVITE_TTL_SECONDS, DEFAULT_MAX_INVITE_TTL_SECONDS, DEFAULT_MAX_HTTP_BODY_BYTES,
          DEFAULT_ACCESS_CACHE_TTL_MS, null);
    }

    public Accounts withBcryptCost(int cost) {
      return new Accounts(accessTokenTtlSeconds, refreshTokenTtlSeconds, cost, inviteTtlSeconds, maxInviteTtlSeconds,
          maxHttpBodyBytes, accessCacheTtlMs, publicUrl);
    }

    public Accounts withTokenTtls(long accessSeconds, long refreshSeconds) {
      return new Accounts(accessSeconds, refreshSeconds, bcryptCost, inviteTtlSeconds, maxInviteTtlSeconds,
          maxHttpBodyBytes, accessCacheTtlMs, publicUrl);
    }

    public Accounts withMaxHttpBodyBytes(int bytes) {
      return new Accounts(accessTokenTtlSeconds, refreshTokenTtlSeconds, bcryptCost, inviteTtlSeconds,
          maxInviteTtlSeconds, bytes, accessCacheTtlMs, publicUrl);
    }

    static Accounts fromEnv(Env env) {
      Accounts d = defaults();
      return new Accounts(
          env.longValue("FLOWSTATE_ACCESS_TOKEN_TTL_SECONDS", d.accessTokenTtlSeconds),
          env.longValue("FLOWSTATE_REFRESH_TOKEN_TTL_SECONDS", d.refreshTokenTtlSeconds),
          env.integer("FLOWSTATE_BCRYPT_COST", d.bcryptCost),
          env.longValue("FLOWSTATE_INVITE_TTL_SECONDS", d.inviteTtlSeconds),
          env.longValue("FLOWSTATE_MAX_INVITE_TTL_SECONDS", d.maxInviteTtlSeconds),
          env.integer("FLOWSTATE_MAX_HTTP_BODY_BYTES", d.maxHttpBodyBytes),
          env.longValue("FLOWSTATE_ACCESS_CACHE_TTL_MS", d.accessCacheTtlMs),
          env.string("FLOWSTATE_PUBLIC_URL", null));
    }
  }

  /** A token-bucket rate limit: {@code perSecond} sustained, bursts of {@code burst}. */
  public record Rate(double perSecond, int burst) {
    static Rate parse(Env env, String name, Rate fallback) {
      return new Rate(env.integer(name + "_PER_SECOND", (int) fallback.perSecond),
          env.integer(name + "_BURST", fallback.burst));
    }
  }

  public static final String DEFAULT_HTTP_HOST = "0.0.0.0";
  public static final int DEFAULT_HTTP_PORT = 8080;
  public static final String DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
  public static final String DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/flowstate";
  public static final int DEFAULT_PG_POOL_SIZE = 8;
  public static final int DEFAULT_SHARD_COUNT = 256;
  public static final int DEFAULT_MAX_FRAME_BYTES = 512 * 1024;
  public static final int DEFAULT_MAX_OP_BYTES = 256 * 1024;
  public static final int DEFAULT_MAX_ROOM_ID_LENGTH = 128;
  public static final int DEFAULT_MAX_CLIENT_OP_ID_LENGTH = 64;
  public static final int DEFAULT_MAX_ROOMS_PER_CONNECTION = 64;
  public static final long DEFAULT_OP_TIMEOUT_MS = 5_000;
  public static final long DEFAULT_HEARTBEAT_MS = 15_000;
  public static final long DEFAULT_HEARTBEAT_TIMEOUT_MS = 45_000;
  public static final int DEFAULT_MAX_CATCHUP_OPS = 1_000;
  public static final int DEFAULT_MAX_OUTBOUND_BYTES = 4 * 1024 * 1024;
  public static final int DEFAULT_HISTORY_CACHE_ENTRIES = 64;
  public static final long DEFAULT_HISTORY_CACHE_BYTES = 64L * 1024 * 1024;
  public static final int DEFAULT_MAX_OPS_PAGE = 1_000;
  public static final long DEFAULT_MAX_EXPORT_PIXELS = 16_000_000L;
  public static final int DEFAULT_EXPORT_WORKERS = 2;
  public static final long DEFAULT_PRESENCE_TTL_MS = 10_000;
  public static final long DEFAULT_PRESENCE_INTERVAL_MS = 50;
  public static final int DEFAULT_MAX_PRESENCE_BYTES = 1024;
  public static final int DEFAULT_MAX_CHAT_CHARS = 2_000;
  public static final Rate DEFAULT_OPS_RATE = new Rate(200, 200);
  public static final Rate DEFAULT_PRESENCE_RATE = new Rate(60, 60);
  public static final Rate DEFAULT_CHAT_RATE = new Rate(5, 10);
  public static final int DEFAULT_MAX_CONNECTIONS_PER_USER = 20;
  public static final int DEFAULT_MAX_CONNECTIONS_PER_IP = 200;
  public static final long DEFAULT_DRAIN_DEADLINE_MS = 10_000;

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
        RedisMode.parse(env.string("FLOWSTATE_REDIS_MODE", "standalone")),
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
        env.integer("FLOWSTATE_MAX_OUTBOUND_BYTES", d.maxOutboundBytes),
        env.integer("FLOWSTATE_HISTORY_CACHE_ENTRIES", d.historyCacheEntries),
        env.longValue("FLOWSTATE_HISTORY_CACHE_BYTES", d.historyCacheBytes),
        env.integer("FLOWSTATE_MAX_OPS_PAGE", d.maxOpsPage),
        env.longValue("FLOWSTATE_MAX_EXPORT_PIXELS", d.maxExportPixels),
        env.integer("FLOWSTATE_EXPORT_WORKERS", d.exportWorkers),
        env.longValue("FLOWSTATE_PRESENCE_TTL_MS", d.presenceTtlMs),
        env.longValue("FLOWSTATE_PRESENCE_INTERVAL_MS", d.presenceIntervalMs),
        env.integer("FLOWSTATE_MAX_PRESENCE_BYTES", d.maxPresenceBytes),
        env.integer("FLOWSTATE_MAX_CHAT_CHARS", d.maxChatChars),
        Rate.parse(env, "FLOWSTATE_OPS", d.opsRate),
        Rate.parse(env, "FLOWSTATE_PRESENCE", d.presenceRate),
        Rate.parse(env, "FLOWSTATE_CHAT", d.chatRate),
        env.integer("FLOWSTATE_MAX_CONNECTIONS_PER_USER", d.maxConnectionsPerUser),
        env.integer("FLOWSTATE_MAX_CONNECTIONS_PER_IP", d.maxConnectionsPerIp),
        env.list("FLOWSTATE_TRUSTED_PROXIES"),
        env.longValue("FLOWSTATE_DRAIN_DEADLINE_MS", d.drainDeadlineMs),
        Jwt.fromEnv(env),
        env.list("FLOWSTATE_ALLOWED_ORIGINS"),
        Accounts.fromEnv(env));
  }

  /** A builder starting from this config. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.gatewayId = gatewayId;
    b.httpHost = httpHost;
    b.httpPort = httpPort;
    b.redisUrl = redisUrl;
    b.redisPrefix = redisPrefix;
    b.redisMode = redisMode;
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
    b.historyCacheEntries = historyCacheEntries;
    b.historyCacheBytes = historyCacheBytes;
    b.maxOpsPage = maxOpsPage;
    b.maxExportPixels = maxExportPixels;
    b.exportWorkers = exportWorkers;
    b.presenceTtlMs = presenceTtlMs;
    b.presenceIntervalMs = presenceIntervalMs;
    b.maxPresenceBytes = maxPresenceBytes;
    b.maxChatChars = maxChatChars;
    b.opsRate = opsRate;
    b.presenceRate = presenceRate;
    b.chatRate = chatRate;
    b.maxConnectionsPerUser = maxConnectionsPerUser;
    b.maxConnectionsPerIp = maxConnectionsPerIp;
    b.trustedProxies = trustedProxies;
    b.drainDeadlineMs = drainDeadlineMs;
    b.jwt = jwt;
    b.allowedOrigins = allowedOrigins;
    b.accounts = accounts;
    return b;
  }

  /** Mutable builder for tests and the launcher; fields start at the defaults. */
  public static final class Builder {
    private String gatewayId = "gw-" + UUID.randomUUID().toString().substring(0, 8);
    private String httpHost = DEFAULT_HTTP_HOST;
    private int httpPort = DEFAULT_HTTP_PORT;
    private String redisUrl = DEFAULT_REDIS_URL;
    private String redisPrefix = Channels.DEFAULT_PREFIX;
    private RedisMode redisMode = RedisMode.STANDALONE;
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
    private int historyCacheEntries = DEFAULT_HISTORY_CACHE_ENTRIES;
    private long historyCacheBytes = DEFAULT_HISTORY_CACHE_BYTES;
    private int maxOpsPage = DEFAULT_MAX_OPS_PAGE;
    private long maxExportPixels = DEFAULT_MAX_EXPORT_PIXELS;
    private int exportWorkers = DEFAULT_EXPORT_WORKERS;
    private long presenceTtlMs = DEFAULT_PRESENCE_TTL_MS;
    private long presenceIntervalMs = DEFAULT_PRESENCE_INTERVAL_MS;
    private int maxPresenceBytes = DEFAULT_MAX_PRESENCE_BYTES;
    private int maxChatChars = DEFAULT_MAX_CHAT_CHARS;
    private Rate opsRate = DEFAULT_OPS_RATE;
    private Rate presenceRate = DEFAULT_PRESENCE_RATE;
    private Rate chatRate = DEFAULT_CHAT_RATE;
    private int maxConnectionsPerUser = DEFAULT_MAX_CONNECTIONS_PER_USER;
    private int maxConnectionsPerIp = DEFAULT_MAX_CONNECTIONS_PER_IP;
    private java.util.List<String> trustedProxies = java.util.List.of();
    private long drainDeadlineMs = DEFAULT_DRAIN_DEADLINE_MS;
    private Jwt jwt;
    private java.util.List<String> allowedOrigins = java.util.List.of();
    private Accounts accounts = Accounts.defaults();

    public Builder gatewayId(String v) { gatewayId = v; return this; }
    public Builder http(String host, int port) { httpHost = host; httpPort = port; return this; }
    public Builder stores(String redis, String pg) { redisUrl = redis; pgUrl = pg; return this; }
    public Builder redisPrefix(String v) { redisPrefix = v; return this; }
    /** Standalone Redis or Redis Cluster; in cluster mode the Redis URL may list seeds comma-separated. */
    public Builder redisMode(RedisMode v) { redisMode = v; return this; }
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
    public Builder historyCache(int entries, long bytes) { historyCacheEntries = entries; historyCacheBytes = bytes; return this; }
    public Builder maxOpsPage(int v) { maxOpsPage = v; return this; }
    public Builder maxExportPixels(long v) { maxExportPixels = v; return this; }
    public Builder exportWorkers(int v) { exportWorkers = v; return this; }
    public Builder presence(long ttlMs, long intervalMs) { presenceTtlMs = ttlMs; presenceIntervalMs = intervalMs; return this; }
    public Builder maxPresenceBytes(int v) { maxPresenceBytes = v; return this; }
    public Builder maxChatChars(int v) { maxChatChars = v; return this; }
    public Builder opsRate(Rate v) { opsRate = v; return this; }
    public Builder presenceRate(Rate v) { presenceRate = v; return this; }
    public Builder chatRate(Rate v) { chatRate = v; return this; }
    public Builder maxConnections(int perUser, int perIp) { maxConnectionsPerUser = perUser; maxConnectionsPerIp = perIp; return this; }
    public Builder trustedProxies(java.util.List<String> v) { trustedProxies = java.util.List.copyOf(v); return this; }
    public Builder drainDeadlineMs(long v) { drainDeadlineMs = v; return this; }
    public Builder jwt(Jwt v) { jwt = v; return this; }
    public Builder allowedOrigins(java.util.List<String> v) { allowedOrigins = java.util.List.copyOf(v); return this; }
    public Builder accounts(Accounts v) { accounts = v; return this; }

    public GatewayConfig build() {
      return new GatewayConfig(gatewayId, httpHost, httpPort, redisUrl, redisPrefix, redisMode, pgUrl, pgPoolSize,
          guestAccess, shardCount, maxFrameBytes, maxOpBytes, maxRoomIdLength, maxClientOpIdLength, maxRoomsPerConnection,
          opTimeoutMs, heartbeatMs, heartbeatTimeoutMs, maxCatchupOps, maxOutboundBytes, historyCacheEntries,
          historyCacheBytes, maxOpsPage, maxExportPixels, exportWorkers, presenceTtlMs, presenceIntervalMs,
          maxPresenceBytes, maxChatChars, opsRate, presenceRate, chatRate, maxConnectionsPerUser, maxConnectionsPerIp,
          trustedProxies, drainDeadlineMs, jwt, allowedOrigins, accounts);
    }
  }
}
