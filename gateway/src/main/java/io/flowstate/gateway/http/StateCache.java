package io.flowstate.gateway.http;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Least-recently-used cache of rendered states by (room, version), bounded by entry count and by
 * total body bytes; a state over a quarter of the byte budget is never cached, so one huge canvas
 * cannot flush everything else. Entries never go stale: a version's state is immutable. Thread-safe.
 */
final class StateCache {
  /** The cache key. */
  record Key(String room, long version) {
  }

  private final int maxEntries;
  private final long maxBytes;
  private final LinkedHashMap<Key, RenderedState> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;

  StateCache(int maxEntries, long maxBytes) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
  }

  synchronized RenderedState get(Key key) {
    return entries.get(key);
  }

  /** Stores {@code state} unless it is too big, then evicts least recently used entries over the bounds. */
  synchronized void put(Key key, RenderedState state) {
    long size = state.body().length;
    if (maxEntries <= 0 || size > maxBytes / 4) {
      return;
    }
    RenderedState old = entries.put(key, state);
    bytes += size - (old == null ? 0 : old.body().length);
    Iterator<Map.Entry<Key, RenderedState>> eldest = entries.entrySet().iterator();
    while ((entries.size() > maxEntries || bytes > maxBytes) && eldest.hasNext()) {
      bytes -= eldest.next().getValue().body().length;
      eldest.remove();
    }
  }

  synchronized int size() {
    return entries.size();
  }

  synchronized long bytes() {
    return bytes;
  }
}
