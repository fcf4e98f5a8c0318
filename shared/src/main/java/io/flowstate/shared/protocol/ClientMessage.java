package io.flowstate.shared.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A client → server frame of PROTOCOL.md, parsed and checked for shape by {@link ClientMessages}.
 * Every message may carry {@code rid}; any reply to it echoes the rid. Op content is validated
 * later, against the room's state, by the sequencer.
 */
public sealed interface ClientMessage {
  /** The request id to echo, or null. */
  String rid();

  /** The room the message is about. */
  String room();

  record Join(String rid, String room, Long since) implements ClientMessage {
  }

  record Leave(String rid, String room) implements ClientMessage {
  }

  /** An op submission; {@code id} is the client op id that makes retries idempotent. */
  record SubmitOp(String rid, String room, String id, JsonNode op) implements ClientMessage {
  }

  record Undo(String rid, String room, String id) implements ClientMessage {
  }

  record Redo(String rid, String room, String id) implements ClientMessage {
  }

  record Presence(String rid, String room, JsonNode state) implements ClientMessage {
  }

  record Chat(String rid, String room, String text) implements ClientMessage {
  }

  /** A new access token for this connection (before the current one expires); no room. */
  record Refresh(String rid, String token) implements ClientMessage {
    @Override
    public String room() {
      return null;
    }
  }
}
