package io.flowstate.sequencer.room;

import java.util.Set;

/**
 * Which room shards this sequencer may order. Only the owner of a room's shard consumes its
 * submissions and commits its ops. This implementation owns every shard (one sequencer);
 * lease-based ownership with fencing plugs in here.
 */
public interface ShardOwnership {
  /** The shards owned right now. */
  Set<Integer> owned();

  default boolean owns(int shard) {
    return owned().contains(shard);
  }

  /** Ownership of all {@code shardCount} shards, for a single sequencer. */
  static ShardOwnership all(int shardCount) {
    Set<Integer> shards = new java.util.TreeSet<>();
    for (int i = 0; i < shardCount; i++) {
      shards.add(i);
    }
    Set<Integer> owned = Set.copyOf(shards);
    return () -> owned;
  }
}
