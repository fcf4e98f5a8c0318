package io.flowstate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The rendered-state cache")
class StateCacheTest {
  private static RenderedState state(long version, int bytes) {
    return new RenderedState(version, "h" + version, new byte[bytes]);
  }

  private static StateCache.Key key(long version) {
    return new StateCache.Key("room", version);
  }

  @Test
  @DisplayName("evicts the least recently used entry beyond the entry bound")
  void entryBound() {
    StateCache cache = new StateCache(2, 1_000);
    cache.put(key(1), state(1, 10));
    cache.put(key(2), state(2, 10));
    assertThat(cache.get(key(1))).isNotNull();
    cache.put(key(3), state(3, 10));
    assertThat(cache.get(key(2))).as("least recently used").isNull();
    assertThat(cache.get(key(1))).isNotNull();
    assertThat(cache.get(key(3))).isNotNull();
    assertThat(cache.size()).isEqualTo(2);
    assertThat(new StateCache.Key("other", 1)).isNotEqualTo(key(1));
  }

  @Test
  @DisplayName("keeps the total bytes within the budget and never caches a state over a quarter of it")
  void byteBound() {
    StateCache cache = new StateCache(100, 1_000);
    for (int v = 1; v <= 10; v++) {
      cache.put(key(v), state(v, 200));
    }
    assertThat(cache.bytes()).isLessThanOrEqualTo(1_000);
    assertThat(cache.size()).isEqualTo(5);
    assertThat(cache.get(key(10))).isNotNull();
    assertThat(cache.get(key(5))).isNull();
    cache.put(key(99), state(99, 251));
    assertThat(cache.get(key(99))).isNull();
    cache.put(key(10), state(10, 100));
    assertThat(cache.bytes()).isEqualTo(900);
  }

  @Test
  @DisplayName("caches nothing when configured with zero entries")
  void disabled() {
    StateCache cache = new StateCache(0, 1_000);
    cache.put(key(1), state(1, 1));
    assertThat(cache.get(key(1))).isNull();
  }
}
