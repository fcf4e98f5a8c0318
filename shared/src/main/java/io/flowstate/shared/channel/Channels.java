package io.flowstate.shared.channel;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Redis channel names and the room → shard mapping, the one place both services agree on them.
 * Room and shard channels carry a {hash tag} so that, on Redis Cluster with sharded pub/sub, a
 * room's traffic lives on one node. The shard of a room is CRC-32 of its UTF-8 id modulo the
 * shard count, a function any language can reproduce. All names start with a configurable
 * prefix so that several FlowState deployments (or test runs) can share one Redis.
 */
public final class Channels {
  public static final String DEFAULT_PREFIX = "fs";
  private final String prefix;

  public Channels(String prefix) {
    this.prefix = prefix + ":";
  }

  /** Committed op events of one room, published by the sequencer after the commit. */
  public String room(String roomId) {
    return prefix + "room:{" + roomId + "}";
  }

  /** Submissions for every room of one shard, consumed by the shard's owning sequencer. */
  public String shard(int shard) {
    return prefix + "shard:{" + shard + "}";
  }

  /** Replies (errors, duplicate acks) addressed to the connections of one gateway. */
  public String gateway(String gatewayId) {
    return prefix + "gw:{" + gatewayId + "}";
  }

  /** Transient traffic of one room (presence, chat, member changes), gateway to gateway. */
  public String live(String roomId) {
    return prefix + "live:{" + roomId + "}";
  }

  /** Redis hash of a room's connected members: field gateway|session → user JSON. */
  public String membersKey(String roomId) {
    return prefix + "members:{" + roomId + "}";
  }

  /** Liveness key of a gateway, refreshed with a TTL; its members are stale once it expires. */
  public String aliveKey(String gatewayId) {
    return prefix + "alive:{" + gatewayId + "}";
  }

  /** Role and membership changes ({@code AccessChange}), for every gateway and sequencer. */
  public String access() {
    return prefix + "access";
  }

  /** The room id of a {@link #room} channel name, or null if the name is not a room channel. */
  public String roomOf(String channel) {
    return between(channel, prefix + "room:{");
  }

  /** The room id of a {@link #live} channel name, or null. */
  public String liveRoomOf(String channel) {
    return between(channel, prefix + "live:{");
  }

  private static String between(String channel, String head) {
    if (!channel.startsWith(head) || !channel.endsWith("}")) {
      return null;
    }
    return channel.substring(head.length(), channel.length() - 1);
  }

  /** The shard that owns a room: CRC-32 of the UTF-8 room id, modulo {@code shardCount}. */
  public static int shardOf(String roomId, int shardCount) {
    CRC32 crc = new CRC32();
    crc.update(roomId.getBytes(StandardCharsets.UTF_8));
    return (int) (crc.getValue() % shardCount);
  }
}
