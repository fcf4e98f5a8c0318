package io.flowstate.shared.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Parses one client frame into a {@link ClientMessage}. Failures are {@link BadFrame}s that keep
 * whatever correlation fields could be read ({@code rid}, {@code room}, {@code id}) so the error
 * reply can echo them. Limits on ids come from the caller's configuration.
 */
public final class ClientMessages {
  private final int maxRoomIdLength;
  private final int maxClientOpIdLength;

  public ClientMessages(int maxRoomIdLength, int maxClientOpIdLength) {
    this.maxRoomIdLength = maxRoomIdLength;
    this.maxClientOpIdLength = maxClientOpIdLength;
  }

  /** A frame that could not be parsed, with the correlation fields that could be read. */
  public static final class BadFrame extends RuntimeException {
    private final ErrorCode code;
    private final String rid;
    private final String room;
    private final String id;

    BadFrame(ErrorCode code, String message, String rid, String room, String id) {
      super(message, null, false, false);
      this.code = code;
      this.rid = rid;
      this.room = room;
      this.id = id;
    }

    public ObjectNode toFrame() {
      return ServerFrames.error(code, getMessage(), rid, room, id);
    }

    public ErrorCode code() {
      return code;
    }
  }

  public ClientMessage parse(String text) {
    ObjectNode frame;
    try {
      frame = Json.parseObject(text);
    } catch (FlowStateException e) {
      throw new BadFrame(e.code(), e.getMessage(), null, null, null);
    }
    return parse(frame);
  }

  public ClientMessage parse(ObjectNode frame) {
    String rid = optionalString(frame, "rid", null, null, null);
    String type = requiredString(frame, "type", rid, null, null);
    if ("refresh".equals(type)) {
      return new ClientMessage.Refresh(rid, requiredString(frame, "token", rid, null, null));
    }
    String room = requiredRoom(frame, rid);
    switch (type) {
      case "join":
        return new ClientMessage.Join(rid, room, optionalSince(frame, rid, room));
      case "leave":
        return new ClientMessage.Leave(rid, room);
      case "op": {
        String id = clientOpId(frame, rid, room);
        JsonNode op = frame.get("op");
        if (op == null || !op.isObject()) {
          throw bad("field 'op' must be an object", rid, room, id);
        }
        return new ClientMessage.SubmitOp(rid, room, id, op);
      }
      case "undo":
        return new ClientMessage.Undo(rid, room, clientOpId(frame, rid, room));
      case "redo":
        return new ClientMessage.Redo(rid, room, clientOpId(frame, rid, room));
      case "presence": {
        JsonNode state = frame.get("state");
        if (state == null || !state.isObject()) {
          throw bad("field 'state' must be an object", rid, room, null);
        }
        return new ClientMessage.Presence(rid, room, state);
      }
      case "chat":
        return new ClientMessage.Chat(rid, room, requiredString(frame, "text", rid, room, null));
      default:
        throw bad("unknown message type '" + type + "'", rid, room, null);
    }
  }

  private String requiredRoom(ObjectNode frame, String rid) {
    String room = requiredString(frame, "room", rid, null, null);
    if (room.isEmpty() || room.length() > maxRoomIdLength) {
      throw bad("field 'room' must be 1.." + maxRoomIdLength + " characters", rid, null, null);
    }
    String problem = Text.problem(room);
    if (problem != null) {
      throw bad("field 'room' " + problem, rid, null, null);
    }
    return room;
  }

  private String clientOpId(ObjectNode frame, String rid, String room) {
    String id = requiredString(frame, "id", rid, room, null);
    if (id.isEmpty() || id.length() > maxClientOpIdLength) {
      throw bad("field 'id' must be 1.." + maxClientOpIdLength + " characters", rid, room, null);
    }
    String problem = Text.problem(id);
    if (problem != null) {
      throw bad("field 'id' " + problem, rid, room, null);
    }
    return id;
  }

  private static Long optionalSince(ObjectNode frame, String rid, String room) {
    JsonNode since = frame.get("since");
    if (since == null || since.isNull()) {
      return null;
    }
    if (!since.canConvertToExactIntegral() || !since.canConvertToLong() || since.asLong() < 0) {
      throw bad("field 'since' must be a non-negative integer", rid, room, null);
    }
    return since.asLong();
  }

  private static String requiredString(ObjectNode frame, String field, String rid, String room, String id) {
    JsonNode value = frame.get(field);
    if (value == null || value.isNull()) {
      throw bad("missing field '" + field + "'", rid, room, id);
    }
    if (!value.isTextual()) {
      throw bad("field '" + field + "' must be a string", rid, room, id);
    }
    return value.textValue();
  }

  private static String optionalString(ObjectNode frame, String field, String rid, String room, String id) {
    JsonNode value = frame.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw bad("field '" + field + "' must be a string", rid, room, id);
    }
    return value.textValue();
  }

  private static BadFrame bad(String message, String rid, String room, String id) {
    return new BadFrame(ErrorCode.BAD_REQUEST, message, rid, room, id);
  }
}
