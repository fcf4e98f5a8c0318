package io.flowstate.sequencer.room;

import java.util.Set;

/**
 * Which room shards this sequencer may order. Only the owner of a room's shard consumes its
 * submissions and commits its ops. With leases ({@code ShardLeases}) every commit is fenced: it
 * carries the epoch at which each of its shards was acquired and PostgreSQL refuses it when
 * another sequencer took the shard over since. {@link #all} owns every shard without fencing, for
 * tests of a single sequencer.
 */
public interface ShardOwnership {
  /** The shards owned right now. */
  Set<Integer> owned();

  default boolean owns(int shard) {
    return owned().contains(shard);
  }

  /** The epoch at which an owned shard was acquired, or -1 when commits are not fenced. */
  default long epoch(int shard) {
    return -1;
  }

  /** The lease holder's name that fenced commits present, or null when commits are not fenced. */
  default String holder() {
    return null;
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
