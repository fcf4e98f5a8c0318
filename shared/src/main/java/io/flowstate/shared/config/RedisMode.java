package io.flowstate.shared.config;

import java.util.Locale;

/**
 * How a service talks to Redis ({@code FLOWSTATE_REDIS_MODE}). {@link #STANDALONE}: one server
 * (or a proxy in front of one), classic PUBLISH/SUBSCRIBE. {@link #CLUSTER}: Redis Cluster 7+,
 * {@code FLOWSTATE_REDIS_URL} lists one or more seed nodes comma-separated, and pub/sub is
 * sharded (SPUBLISH/SSUBSCRIBE), so each channel lives on the node owning its hash tag's slot.
 */
public enum RedisMode {
  STANDALONE,
  CLUSTER;

  /** Parses {@code standalone} or {@code cluster} (any case); anything else is a clear error. */
  public static RedisMode parse(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    switch (v) {
      case "standalone":
        return STANDALONE;
      case "cluster":
        return CLUSTER;
      default:
        throw new IllegalArgumentException("FLOWSTATE_REDIS_MODE must be standalone or cluster, got '" + value + "'");
    }
  }
}
