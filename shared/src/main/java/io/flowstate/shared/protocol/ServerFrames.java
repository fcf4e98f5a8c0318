package io.flowstate.shared.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;

/**
 * Builders for the server → client frames of PROTOCOL.md. Optional correlation fields
 * ({@code rid}, {@code room}, {@code id}) are written only when known, never as null.
 */
public final class ServerFrames {
  private ServerFrames() {
  }

  public static ObjectNode welcome(String session, User user, String gateway, long heartbeatMs) {
    ObjectNode frame = Json.object().put("type", "welcome").put("session", session);
    frame.set("user", user.toJson());
    return frame.put("gateway", gateway).put("heartbeatMs", heartbeatMs);
  }

  public static ObjectNode error(ErrorCode code, String message, String rid, String room, String id) {
    ObjectNode frame = Json.object().put("type", "error").put("code", code.wire()).put("message", message);
    putIfPresent(frame, "rid", rid);
    putIfPresent(frame, "room", room);
    putIfPresent(frame, "id", id);
    return frame;
  }

  public static ObjectNode duplicateAck(String room, String id, long version, String rid) {
    ObjectNode frame = Json.object().put("type", "ack").put("room", room).put("id", id)
        .put("version", version).put("duplicate", true);
    putIfPresent(frame, "rid", rid);
    return frame;
  }

  /** {@code joined} with the missing ops (versions since+1 … version). */
  public static ObjectNode joinedWithOps(String room, String role, long version, ArrayNode ops,
      Collection<User> members, String rid) {
    ObjectNode frame = joinedHead(room, role, version, rid);
    frame.set("ops", ops);
    frame.set("members", users(members));
    return frame;
  }

  /** {@code joined} with a full snapshot {version, state, hash}. */
  public static ObjectNode joinedWithSnapshot(String room, String role, long version, JsonNode state,
      String hash, Collection<User> members, String rid) {
    ObjectNode frame = joinedHead(room, role, version, rid);
    ObjectNode snapshot = frame.putObject("snapshot").put("version", version);
    snapshot.set("state", state);
    snapshot.put("hash", hash);
    frame.set("members", users(members));
    return frame;
  }

  public static ObjectNode left(String room, String rid) {
    ObjectNode frame = Json.object().put("type", "left").put("room", room);
    putIfPresent(frame, "rid", rid);
    return frame;
  }

  public static ObjectNode members(String room, Collection<User> users) {
    ObjectNode frame = Json.object().put("type", "members").put("room", room);
    frame.set("users", users(users));
    return frame;
  }

  public static ObjectNode presence(String room, User user, JsonNode state) {
    ObjectNode frame = Json.object().put("type", "presence").put("room", room);
    frame.set("user", user.toJson());
    frame.set("state", state);
    return frame;
  }

  public static ObjectNode presenceLeft(String room, User user) {
    ObjectNode frame = Json.object().put("type", "presence_left").put("room", room);
    frame.set("user", user.toJson());
    return frame;
  }

  public static ObjectNode chat(String room, User user, String text, boolean action, String at) {
    ObjectNode frame = Json.object().put("type", "chat").put("room", room);
    frame.set("user", user.toJson());
    return frame.put("text", text).put("action", action).put("at", at);
  }

  public static ObjectNode resync(String room, long from) {
    return Json.object().put("type", "resync").put("room", room).put("from", from);
  }

  private static ObjectNode joinedHead(String room, String role, long version, String rid) {
    ObjectNode frame = Json.object().put("type", "joined").put("room", room).put("role", role)
        .put("version", version);
    putIfPresent(frame, "rid", rid);
    return frame;
  }

  private static ArrayNode users(Collection<User> users) {
    ArrayNode array = Json.array();
    users.forEach(u -> array.add(u.toJson()));
    return array;
  }

  private static void putIfPresent(ObjectNode frame, String field, String value) {
    if (value != null) {
      frame.put(field, value);
    }
  }
}
