package io.flowstate.gateway.ws;

import io.flowstate.shared.config.GatewayConfig.Rate;

/**
 * A per-connection rate limit: {@code burst} tokens, refilled at {@code perSecond}. One bucket per
 * kind of message (ops, presence, chat); a message without a token gets {@code rate_limited}.
 * Used only on its connection's event loop.
 */
final class TokenBucket {
  private final double perNano;
  private final double capacity;
  private double tokens;
  private long last = System.nanoTime();

  TokenBucket(Rate rate) {
    this.perNano = rate.perSecond() / 1e9;
    this.capacity = Math.max(1, rate.burst());
    this.tokens = capacity;
  }

  boolean tryTake() {
    long now = System.nanoTime();
    tokens = Math.min(capacity, tokens + (now - last) * perNano);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
